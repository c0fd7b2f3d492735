package io.jvirt.block.tool;

import io.jvirt.block.BlockDevice;
import io.jvirt.block.BlockException;
import io.jvirt.block.qcow2.Qcow2Image;
import io.jvirt.block.raw.RawImage;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Set;

/** {@code resize [--shrink] file [+|-]size}. */
final class ResizeCmd {

    private ResizeCmd() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        Opts o = Opts.parse("resize", args, 1, Set.of("f", "preallocation", "object"),
                Set.of("shrink", "q", "image-opts"));
        if (o.positional.size() != 2) {
            throw new BlockException("resize: expected FILENAME [+|-]SIZE; see 'jvirt img resize --help'");
        }
        String file = o.positional.get(0);
        String sz = o.positional.get(1);
        try (BlockDevice d = Open.device(file, o.get("f"), false)) {
            long cur = d.size();
            long n;
            if (sz.startsWith("+")) {
                n = cur + Fmt.parseSize(file, sz.substring(1));
            } else if (sz.startsWith("-")) {
                n = cur - Fmt.parseSize(file, sz.substring(1));
            } else {
                n = Fmt.parseSize(file, sz);
            }
            if (n < 0) {
                throw new BlockException(file + ": new size " + n + " is negative; give a size "
                        + "larger than 0");
            }
            if (n < cur && !o.has("shrink")) {
                throw new BlockException(file + ": shrinking from " + cur + " to " + n
                        + " bytes loses data; add --shrink if that is intended");
            }
            if (d instanceof Qcow2Image q) {
                if ((n & 511) != 0) {
                    throw new BlockException(file + ": size " + n
                            + " is not a multiple of 512; round it");
                }
                q.resize(n);
            } else if (d instanceof RawImage r) {
                r.resize(n);
            }
        }
        if (!o.has("q")) {
            out.println("Image resized.");
        }
        return 0;
    }
}
