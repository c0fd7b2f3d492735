package io.jvirt.block;

import io.jvirt.block.qcow2.Qcow2Image;
import io.jvirt.block.raw.RawImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Opens disk images by format name ("raw", "qcow2") or by probing the file's first bytes. */
public interface Images {

    /** Returns "qcow2" when the file starts with the qcow2 magic "QFI\xfb", else "raw". */
    static String probe(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(4);
            ch.read(b, 0);
            return b.position() == 4 && b.getInt(0) == Qcow2Image.MAGIC ? "qcow2" : "raw";
        } catch (NoSuchFileException e) {
            throw new BlockException(path + ": no such file; check the path");
        }
    }

    /** Opens an image; {@code format} null means probe. Backing files open read-only. */
    static BlockDevice open(Path path, String format, boolean readOnly) throws IOException {
        String fmt = format == null ? probe(path) : format;
        return switch (fmt) {
            case "raw" -> RawImage.open(path, readOnly);
            case "qcow2" -> Qcow2Image.open(path, readOnly);
            default -> throw new BlockException(path + ": unknown format '" + fmt
                    + "'; use raw or qcow2");
        };
    }
}
