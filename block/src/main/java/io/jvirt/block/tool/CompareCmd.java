package io.jvirt.block.tool;

import io.jvirt.block.BlockDevice;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Set;

/** {@code compare}: exit 0 identical, 1 different, 2 error (as qemu-img). */
final class CompareCmd {

    private static final int CHUNK = 1 << 20;

    private CompareCmd() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        Opts o = Opts.parse("compare", args, 1, Set.of("f", "F", "T"),
                Set.of("s", "q", "p", "U", "force-share", "image-opts"));
        if (o.positional.size() != 2) {
            throw new io.jvirt.block.BlockException("compare: expected FILE1 FILE2; see "
                    + "'jvirt img compare --help'");
        }
        boolean quiet = o.has("q");
        try (BlockDevice a = Open.device(o.positional.get(0), o.get("f"), true);
             BlockDevice b = Open.device(o.positional.get(1), o.get("F"), true)) {
            long common = Math.min(a.size(), b.size());
            byte[] x = new byte[CHUNK];
            byte[] y = new byte[CHUNK];
            for (long p = 0; p < common; p += CHUNK) {
                int n = (int) Math.min(CHUNK, common - p);
                a.read(p, ByteBuffer.wrap(x, 0, n));
                b.read(p, ByteBuffer.wrap(y, 0, n));
                int m = Arrays.mismatch(x, 0, n, y, 0, n);
                if (m >= 0) {
                    if (!quiet) {
                        out.println("Content mismatch at offset " + ((p + m) & ~511L) + "!");
                    }
                    return 1;
                }
            }
            if (a.size() != b.size()) {
                BlockDevice longer = a.size() > b.size() ? a : b;
                if (o.has("s")) {
                    if (!quiet) {
                        out.println("Strict mode: Image size mismatch!");
                    }
                    return 1;
                }
                if (!quiet) {
                    out.println("Warning: Image size mismatch!");
                }
                for (long p = common; p < longer.size(); p += CHUNK) {
                    int n = (int) Math.min(CHUNK, longer.size() - p);
                    longer.read(p, ByteBuffer.wrap(x, 0, n));
                    if (!ConvertCmd.isZero(x, 0, n)) {
                        int m = 0;
                        while (x[m] == 0) {
                            m++;
                        }
                        if (!quiet) {
                            out.println("Content mismatch at offset " + ((p + m) & ~511L) + "!");
                        }
                        return 1;
                    }
                }
            }
        }
        if (!quiet) {
            out.println("Images are identical.");
        }
        return 0;
    }
}
