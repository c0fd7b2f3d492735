package io.jvirt.block.tool;

import io.jvirt.block.BlockDevice;
import io.jvirt.block.BlockException;
import io.jvirt.block.Extent;
import io.jvirt.block.qcow2.Qcow2Image;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;

/** {@code commit} (top into its backing file) and {@code rebase} (safe and -u). */
final class ChainCmds {

    private ChainCmds() {
    }

    static int commit(String[] args, PrintStream out, PrintStream err) throws IOException {
        Opts o = Opts.parse("commit", args, 1, Set.of("f", "t", "b", "r", "s"),
                Set.of("d", "p", "q", "image-opts"));
        String file = ImgTool.onlyFile("commit", o);
        try (Qcow2Image top = Open.qcow2("commit", file, o.get("f"), false)) {
            Qcow2Image.Details d = top.details();
            if (d.backingFile() == null) {
                throw new BlockException(file + ": image has no backing file to commit into; "
                        + "nothing to do");
            }
            Path bp = CreateCmd.resolve(file, d.backingFile());
            try (BlockDevice base = Open.device(bp.toString(), d.backingFormat(), false)) {
                long size = Math.min(top.size(), base.size());
                byte[] buf = new byte[1 << 20];
                long pos = 0;
                while (pos < size) {
                    Extent e = top.status(pos, size - pos);
                    long len = Math.max(1, e.length());
                    if (e.depth() == 0 && e.present()) {
                        if (e.zero() && !e.data()) {
                            base.writeZeroes(pos, len);
                        } else {
                            for (long p = pos; p < pos + len; p += buf.length) {
                                int n = (int) Math.min(buf.length, pos + len - p);
                                top.read(p, ByteBuffer.wrap(buf, 0, n));
                                base.write(p, ByteBuffer.wrap(buf, 0, n));
                            }
                        }
                    }
                    pos += len;
                }
                base.flush();
            }
            if (!o.has("d")) {
                top.discardAllToBacking();
            }
        }
        if (!o.has("q")) {
            out.println("Image committed.");
        }
        return 0;
    }

    static int rebase(String[] args, PrintStream out, PrintStream err) throws IOException {
        Opts o = Opts.parse("rebase", args, 1, Set.of("f", "b", "F", "t", "T"),
                Set.of("u", "p", "q", "U", "force-share", "image-opts", "c"));
        String file = ImgTool.onlyFile("rebase", o);
        if (!o.has("b")) {
            throw new BlockException("rebase: -b BACKING is required (-b \"\" removes the "
                    + "backing file)");
        }
        String nb = o.get("b");
        String nbFmt = nb.isEmpty() ? null : o.get("F");
        if (!nb.isEmpty() && nbFmt == null) {
            nbFmt = Open.format(CreateCmd.resolve(file, nb).toString(), null);
        }
        if (o.has("u")) {
            Open.format(file, o.get("f"));
            try (Qcow2Image top = Qcow2Image.openWithoutBacking(Path.of(file), false)) {
                top.setBacking(nb.isEmpty() ? null : nb, nbFmt);
            }
            return 0;
        }
        try (Qcow2Image top = Open.qcow2("rebase", file, o.get("f"), false);
             BlockDevice newBase = nb.isEmpty() ? null
                     : Open.device(CreateCmd.resolve(file, nb).toString(), nbFmt, true)) {
            BlockDevice oldBase = top.backing();
            int cs = top.clusterSize();
            byte[] a = new byte[cs];
            byte[] b = new byte[cs];
            long size = top.size();
            for (long p = 0; p < size; p += cs) {
                int n = (int) Math.min(cs, size - p);
                Extent e = top.status(p, n);
                if (e.depth() == 0 && e.present() && e.length() >= n) {
                    continue;
                }
                readOrZero(oldBase, p, a, n);
                readOrZero(newBase, p, b, n);
                if (!Arrays.equals(a, 0, n, b, 0, n)) {
                    // keep what the guest saw: copy the old backing data into the top image
                    byte[] cur = new byte[n];
                    top.read(p, ByteBuffer.wrap(cur));
                    top.write(p, ByteBuffer.wrap(cur));
                }
            }
            top.setBacking(nb.isEmpty() ? null : nb, nbFmt);
        }
        return 0;
    }

    private static void readOrZero(BlockDevice d, long p, byte[] buf, int n) throws IOException {
        Arrays.fill(buf, 0, n, (byte) 0);
        if (d == null || p >= d.size()) {
            return;
        }
        int m = (int) Math.min(n, d.size() - p);
        d.read(p, ByteBuffer.wrap(buf, 0, m));
    }
}
