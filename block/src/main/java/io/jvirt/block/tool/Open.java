package io.jvirt.block.tool;

import io.jvirt.block.BlockDevice;
import io.jvirt.block.BlockException;
import io.jvirt.block.Images;
import io.jvirt.block.qcow2.Qcow2Image;
import java.io.IOException;
import java.nio.file.Path;

/** Opening images for the tool, with format checks. */
final class Open {

    private Open() {
    }

    static String format(String file, String fmt) throws IOException {
        String f = fmt != null ? fmt : Images.probe(Path.of(file));
        if (!f.equals("raw") && !f.equals("qcow2")) {
            throw new BlockException(file + ": unknown format '" + f + "'; use raw or qcow2");
        }
        return f;
    }

    static BlockDevice device(String file, String fmt, boolean readOnly) throws IOException {
        return Images.open(Path.of(file), format(file, fmt), readOnly);
    }

    static Qcow2Image qcow2(String verb, String file, String fmt, boolean readOnly)
            throws IOException {
        String f = format(file, fmt);
        if (!f.equals("qcow2")) {
            throw new BlockException(file + ": " + verb + " needs a qcow2 image, this is " + f
                    + "; convert it with 'jvirt img convert -O qcow2'");
        }
        return Qcow2Image.open(Path.of(file), readOnly);
    }
}
