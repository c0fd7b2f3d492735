package io.jvirt.block.tool;

import io.jvirt.block.BlockDevice;
import io.jvirt.block.BlockException;
import io.jvirt.block.Extent;
import io.jvirt.block.qcow2.Qcow2Image;
import io.jvirt.block.raw.RawImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code convert}: copies one or more source images (concatenated) into a new image, skipping
 * holes and, with -S, runs of zeroes at least that long; -c writes compressed clusters.
 */
final class ConvertCmd {

    private static final int CHUNK = 2 << 20;
    private static final byte[] ZERO = new byte[CHUNK];

    private ConvertCmd() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        Opts o = Opts.parse("convert", args, 1, Set.of("f", "O", "o", "S", "B", "F", "m", "t",
                "T", "l", "s", "r"), Set.of("c", "p", "n", "q", "U", "W", "C",
                "force-share", "image-opts", "target-image-opts"));
        if (o.positional.size() < 2) {
            throw new BlockException("convert: expected SOURCE... TARGET; see 'jvirt img convert --help'");
        }
        String target = o.positional.get(o.positional.size() - 1);
        String outFmt = o.get("O", "raw");
        boolean compress = o.has("c");
        long sparse = o.has("S") ? Fmt.parseSize("convert: -S", o.get("S")) : 4096;
        if (compress && !outFmt.equals("qcow2")) {
            throw new BlockException(target + ": -c needs -O qcow2 (got " + outFmt
                    + "); drop -c or convert to qcow2");
        }
        List<BlockDevice> srcs = new ArrayList<>();
        try {
            long total = 0;
            for (String s : o.positional.subList(0, o.positional.size() - 1)) {
                BlockDevice d = Open.device(s, o.get("f"), true);
                srcs.add(d);
                total += d.size();
            }
            Map<String, String> opts = o.options("convert");
            String backing = opts.getOrDefault("backing_file", o.get("B"));
            String backingFmt = opts.getOrDefault("backing_fmt", o.get("F"));
            if (!o.has("n")) {
                create(target, outFmt, total, opts, backing, backingFmt);
            }
            boolean mustZero = o.has("n") || backing != null;
            BlockDevice dst = Open.device(target, outFmt, false);
            try {
                if (dst.size() < total) {
                    throw new BlockException(target + ": target is " + dst.size()
                            + " bytes, smaller than the source (" + total + "); resize it first");
                }
                Copier c = new Copier(dst, sparse, compress, mustZero, o.has("p") ? out : null,
                        total);
                long base = 0;
                for (BlockDevice s : srcs) {
                    c.copy(s, base);
                    base += s.size();
                }
                if (o.has("p")) {
                    out.printf("    (100.00/100%%)%n");
                }
            } catch (IOException | RuntimeException e) {
                dst.closeUnsafe();
                throw e;
            }
            // qemu-img convert's default cache mode is 'unsafe' (no flush); -t selects others
            if (o.get("t", "unsafe").equals("unsafe")) {
                dst.closeUnsafe();
            } else {
                dst.close();
            }
        } finally {
            for (BlockDevice d : srcs) {
                d.close();
            }
        }
        return 0;
    }

    static void create(String target, String fmt, long size, Map<String, String> opts,
                       String backing, String backingFmt) throws IOException {
        switch (fmt) {
            case "qcow2" -> {
                long sz = (size + 511) & ~511L;
                Qcow2Image.create(Path.of(target),
                        CreateOptionsParser.qcow2(target, sz, opts, backing, backingFmt));
            }
            case "raw" -> {
                for (String k : opts.keySet()) {
                    if (!k.equals("preallocation")) {
                        throw new BlockException(target + ": invalid parameter '" + k
                                + "' for raw; raw takes only preallocation");
                    }
                }
                RawImage.create(Path.of(target), size, opts.getOrDefault("preallocation", "off"));
            }
            default -> throw new BlockException(target + ": unknown output format '" + fmt
                    + "'; use -O raw or -O qcow2");
        }
    }

    private static final ByteBuffer ZERO_DIRECT = ByteBuffer.allocateDirect(CHUNK);

    static boolean isZero(ByteBuffer b, int off, int len) {
        return b.slice(off, len).mismatch(ZERO_DIRECT.slice(0, len)) < 0;
    }

    static boolean isZero(byte[] b, int off, int len) {
        return Arrays.mismatch(b, off, off + len, ZERO, 0, len) < 0;
    }

    /** The copy loop, shared by convert and commit. */
    static final class Copier {
        private final BlockDevice dst;
        private final long sparse;
        private final boolean compress;
        private final boolean mustZero;
        private final PrintStream progress;
        private final long total;
        private long done;
        private int lastPct = -1;

        Copier(BlockDevice dst, long sparse, boolean compress, boolean mustZero,
               PrintStream progress, long total) {
            this.dst = dst;
            this.sparse = sparse;
            this.compress = compress;
            this.mustZero = mustZero;
            this.progress = progress;
            this.total = Math.max(1, total);
        }

        void copy(BlockDevice src, long base) throws IOException {
            long size = src.size();
            if (compress) {
                copyCompressed(src, base, size);
                return;
            }
            // Chunks of the image are copied by a few threads; the devices are thread-safe.
            int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
            java.util.concurrent.ExecutorService pool =
                    java.util.concurrent.Executors.newFixedThreadPool(threads);
            try {
                List<java.util.concurrent.Future<?>> jobs = new ArrayList<>();
                java.util.concurrent.atomic.AtomicLong next = new java.util.concurrent.atomic.AtomicLong();
                for (int t = 0; t < threads; t++) {
                    jobs.add(pool.submit(() -> {
                        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
                        for (long c; (c = next.getAndAdd(CHUNK)) < size; ) {
                            copyChunk(src, base, c, Math.min(CHUNK, size - c), buf);
                        }
                        return null;
                    }));
                }
                for (var j : jobs) {
                    try {
                        j.get();
                    } catch (java.util.concurrent.ExecutionException e) {
                        if (e.getCause() instanceof IOException io) {
                            throw io;
                        }
                        throw new IOException(e.getCause());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.io.InterruptedIOException("convert interrupted");
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }

        private void copyChunk(BlockDevice src, long base, long start, long len, ByteBuffer buf)
                throws IOException {
            long pos = start;
            long end = start + len;
            while (pos < end) {
                Extent e = src.status(pos, end - pos);
                long n = Math.max(1, Math.min(e.length(), end - pos));
                // -S 0: "the destination image will always be fully allocated" (qemu-img(1))
                if (!e.data() && e.zero() && sparse > 0) {
                    if (mustZero) {
                        dst.writeZeroes(base + pos, n);
                    }
                } else {
                    copyData(src, base, pos, n, buf);
                }
                pos += n;
                tick(n);
            }
        }

        private void copyData(BlockDevice src, long base, long pos, long len, ByteBuffer buf)
                throws IOException {
            int n = (int) len;
            buf.clear().limit(n);
            src.read(pos, buf);
            buf.flip();
            if (sparse <= 0) {
                dst.write(base + pos, buf);
                return;
            }
            int gran = (int) Math.min(sparse, CHUNK);
            int i = 0;
            while (i < n) {
                int runStart = i;
                boolean zero = isZero(buf, i, Math.min(gran, n - i));
                while (i < n && isZero(buf, i, Math.min(gran, n - i)) == zero) {
                    i += Math.min(gran, n - i);
                }
                if (!zero) {
                    dst.write(base + pos + runStart, buf.slice(runStart, i - runStart));
                } else if (mustZero) {
                    dst.writeZeroes(base + pos + runStart, i - runStart);
                }
            }
        }

        private void copyCompressed(BlockDevice src, long base, long size) throws IOException {
            Qcow2Image q = (Qcow2Image) dst;
            int cs = q.clusterSize();
            if ((base & (cs - 1)) != 0) {
                throw new BlockException("convert: -c with several sources needs each source "
                        + "to be a multiple of the cluster size " + cs + "; convert them one by one");
            }
            byte[] c = new byte[cs];
            for (long p = 0; p < size; p += cs) {
                int n = (int) Math.min(cs, size - p);
                Extent e = src.status(p, n);
                if (!e.data() && e.zero() && e.length() >= n) {
                    if (mustZero) {
                        dst.writeZeroes(base + p, n);
                    }
                    tick(n);
                    continue;
                }
                Arrays.fill(c, (byte) 0);
                src.read(p, ByteBuffer.wrap(c, 0, n));
                if (isZero(c, 0, cs)) {
                    if (mustZero) {
                        dst.writeZeroes(base + p, n);
                    }
                } else if (base + p + cs <= dst.size() || n == cs) {
                    q.writeCompressed(base + p, c);
                } else {
                    dst.write(base + p, ByteBuffer.wrap(c, 0, n));
                }
                tick(n);
            }
        }

        private synchronized void tick(long n) {
            done += n;
            if (progress != null) {
                int pct = (int) (done * 10000 / total);
                if (pct != lastPct) {
                    lastPct = pct;
                    progress.printf("    (%.2f/100%%)\r", pct / 100.0);
                }
            }
        }
    }
}
