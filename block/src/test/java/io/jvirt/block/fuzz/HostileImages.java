package io.jvirt.block.fuzz;

import io.jvirt.block.BlockException;
import io.jvirt.block.Extent;
import io.jvirt.block.qcow2.Qcow2Image;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Shared by the Jazzer fuzz target and the seeded mutation test: valid template images of
 * every feature, and the exercise that opens, reads, maps, lists and checks a mutated copy.
 * A malformed image must produce a one-line {@link BlockException}: any other exception, an
 * allocation beyond {@link #MAX_ALLOC}, or a run longer than {@link #MAX_MILLIS} fails.
 */
final class HostileImages {

    static final long MAX_ALLOC = 512L << 20;
    static final long MAX_MILLIS = 10_000;
    private static List<byte[]> templates;

    private HostileImages() {
    }

    static synchronized List<byte[]> templates() throws IOException {
        if (templates != null) {
            return templates;
        }
        Path dir = Files.createTempDirectory("hostile");
        List<byte[]> out = new ArrayList<>();
        Files.write(dir.resolve("base.img"), new byte[1 << 20]);
        Object[][] configs = {
            {3, 65536, 16, false, "zlib", null},
            {2, 4096, 16, false, "zlib", null},
            {3, 512, 1, false, "zlib", null},
            {3, 16384, 64, true, "zstd", null},
            {3, 8192, 4, false, "zstd", "base.img"},
        };
        int i = 0;
        for (Object[] c : configs) {
            Path p = dir.resolve("t" + i++ + ".qcow2");
            Qcow2Image.create(p, new Qcow2Image.CreateOptions(1 << 20, (int) c[0], (int) c[1],
                    (int) c[2], false, (boolean) c[3], (String) c[4], "off", (String) c[5],
                    c[5] == null ? null : "raw"));
            try (Qcow2Image q = Qcow2Image.open(p, false)) {
                Random r = new Random(i);
                byte[] d = new byte[q.clusterSize()];
                for (int k = 0; k < d.length; k += 8) {
                    d[k] = (byte) r.nextInt(3);
                }
                q.write(0, ByteBuffer.wrap(d, 0, Math.min(d.length, 3000)));
                q.writeCompressed((long) q.clusterSize() * 2, d);
                q.writeZeroes((long) q.clusterSize() * 4, q.clusterSize());
                if ((int) c[2] > 1) {
                    q.createSnapshot("snap");
                }
                q.write(q.clusterSize() / 2, ByteBuffer.wrap(d, 0, Math.min(700, d.length)));
            }
            out.add(Files.readAllBytes(p));
            Files.delete(p);
        }
        Files.delete(dir.resolve("base.img"));
        Files.delete(dir);
        templates = out;
        return out;
    }

    /** Applies {@code n} mutations chosen by {@code pick} (bytes, words, header fields). */
    static byte[] mutate(byte[] base, Random r, int n) {
        byte[] b = base.clone();
        for (int i = 0; i < n; i++) {
            int pos = r.nextInt(4) == 0 ? r.nextInt(b.length) : r.nextInt(Math.min(b.length, 1024));
            if (r.nextInt(3) == 0) {
                // a big-endian word: offsets, sizes and table entries are 32 or 64 bits
                pos &= ~7;
                long v = switch (r.nextInt(5)) {
                    case 0 -> r.nextLong();
                    case 1 -> 1L << r.nextInt(64);
                    case 2 -> -1L;
                    case 3 -> (long) r.nextInt(1 << 20) << 9;
                    default -> 0;
                };
                for (int k = 0; k < 8 && pos + k < b.length; k++) {
                    b[pos + k] = (byte) (v >>> (56 - 8 * k));
                }
            } else {
                b[pos] = (byte) r.nextInt(256);
            }
        }
        return b;
    }

    static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getCurrentThreadAllocatedBytes();
    }

    /** Opens and reads {@code image}; throws AssertionError on anything but BlockException. */
    static void exercise(Path file, byte[] image) throws IOException {
        Files.write(file, image);
        long a0 = allocated();
        long t0 = System.currentTimeMillis();
        try {
            try (Qcow2Image q = Qcow2Image.openWithoutBacking(file, true)) {
                q.details();
                q.snapshots();
                long size = q.size();
                byte[] buf = new byte[64 << 10];
                for (long p : new long[] {0, size / 3, Math.max(0, size - buf.length)}) {
                    int n = (int) Math.min(buf.length, size - p);
                    if (n > 0) {
                        try {
                            q.read(p, ByteBuffer.wrap(buf, 0, n));
                        } catch (BlockException e) {
                            oneLine(e);
                        }
                        try {
                            Extent x = q.status(p, n);
                            if (x.length() <= 0 && n > 0) {
                                throw new AssertionError("empty extent at " + p);
                            }
                        } catch (BlockException e) {
                            oneLine(e);
                        }
                    }
                }
                if ((long) q.details().clusterSize() * q.details().clusterSize()
                        <= (1L << 32) && image.length < (4 << 20)) {
                    try {
                        q.check(Qcow2Image.Repair.NONE);
                    } catch (BlockException e) {
                        oneLine(e);
                    }
                }
            }
            long before = Files.size(file);
            try (Qcow2Image q = Qcow2Image.openWithoutBacking(file, false)) {
                q.write(0, ByteBuffer.wrap(new byte[4096], 0, (int) Math.min(4096, q.size())));
                q.write(q.size() / 2, ByteBuffer.wrap(new byte[512], 0,
                        (int) Math.min(512, q.size() - q.size() / 2)));
            } catch (BlockException e) {
                oneLine(e);
            }
            if (Files.size(file) > before + (64L << 20)) {
                throw new AssertionError("writing two blocks grew the file from " + before
                        + " to " + Files.size(file));
            }
        } catch (BlockException e) {
            oneLine(e);
        } catch (RuntimeException | StackOverflowError e) {
            throw new AssertionError("uncaught " + e + " on a hostile image", e);
        }
        long took = System.currentTimeMillis() - t0;
        if (took > MAX_MILLIS) {
            throw new AssertionError("hostile image took " + took + " ms");
        }
        long alloc = allocated() - a0;
        if (alloc > MAX_ALLOC) {
            throw new AssertionError("hostile image made us allocate " + alloc + " bytes");
        }
    }

    private static void oneLine(BlockException e) {
        String m = e.getMessage();
        if (m == null || m.isBlank() || m.contains("\n")) {
            throw new AssertionError("error message is not one line: " + m);
        }
    }
}
