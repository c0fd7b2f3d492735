package io.jvirt.block.qcow2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvirt.block.BlockDevice;
import io.jvirt.block.Images;
import io.jvirt.block.Peer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Images made by qemu-img/qemu-io with each create option are read by jvirt with the same
 * contents as {@code qemu-img convert -O raw} produces.
 */
class QemuMadeImagesTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void peer() {
        Peer.assumeInstalled();
    }

    static Stream<String> options() {
        return Stream.of("compat=1.1", "compat=0.10", "cluster_size=512", "cluster_size=4k",
                "cluster_size=2M", "refcount_bits=1", "refcount_bits=2", "refcount_bits=4",
                "refcount_bits=8", "refcount_bits=32", "refcount_bits=64", "lazy_refcounts=on",
                "extended_l2=on", "extended_l2=on,cluster_size=32k", "compression_type=zstd",
                "preallocation=metadata", "preallocation=falloc", "preallocation=full",
                "compat=0.10,cluster_size=1k");
    }

    /** A workload with data, zero writes, discards and (for some) compressed writes. */
    static String[] workload(long seed, boolean compressed) {
        Random r = new Random(seed);
        java.util.List<String> c = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            long off = (r.nextInt(8 << 20) & ~511);
            int len = (1 + r.nextInt(200)) * 512;
            if (off + len > (8 << 20)) {
                len = (int) ((8 << 20) - off);
            }
            switch (r.nextInt(4)) {
                case 0 -> c.add("write -z " + off + " " + len);
                case 1 -> c.add("discard " + off + " " + len);
                default -> c.add("write -P " + (1 + r.nextInt(250)) + " " + off + " " + len);
            }
        }
        if (compressed) {
            c.add("write -c -P 7 0 2M");
        }
        return c.toArray(String[]::new);
    }

    @ParameterizedTest
    @MethodSource("options")
    void readsQemuImages(String opts) throws Exception {
        Path img = dir.resolve("q.qcow2");
        Peer.qemuImg("create", "-q", "-f", "qcow2", "-o", opts, img.toString(), "8M");
        Peer.qemuIo(img, "qcow2", workload(opts.hashCode(), false));
        assertArrayEquals(Peer.contents(img), Peer.readAll(img), opts);
        try (Qcow2Image q = Qcow2Image.open(img, true)) {
            assertEquals(0, q.check(Qcow2Image.Repair.NONE).corruptions(), opts);
        }
    }

    @ParameterizedTest
    @MethodSource("options")
    void readsCompressedImages(String opts) throws Exception {
        if (opts.contains("preallocation") || opts.contains("extended_l2")
                && opts.contains("32k")) {
            return; // qemu-img convert -c with preallocation is refused
        }
        Path src = dir.resolve("s.raw");
        byte[] data = new byte[8 << 20];
        Random r = new Random(3);
        for (int i = 0; i < data.length; i += 512) {
            if (r.nextInt(3) > 0) {
                byte v = (byte) r.nextInt(8);
                for (int k = 0; k < 512; k += 1 + r.nextInt(16)) {
                    data[i + k] = v;
                }
            }
        }
        Files.write(src, data);
        Path img = dir.resolve("c.qcow2");
        Peer.qemuImg("convert", "-c", "-O", "qcow2", "-o", opts, src.toString(), img.toString());
        assertArrayEquals(data, Peer.readAll(img), opts);
    }

    @Test
    void readsBackingChains() throws Exception {
        Path base = dir.resolve("base.raw");
        Peer.qemuImg("create", "-q", "-f", "raw", base.toString(), "8M");
        Peer.qemuIo(base, "raw", "write -P 1 0 8M");
        Path mid = dir.resolve("mid.qcow2");
        Peer.qemuImg("create", "-q", "-f", "qcow2", "-b", "base.raw", "-F", "raw",
                "-o", "cluster_size=4k", mid.toString());
        Peer.qemuIo(mid, "qcow2", "write -P 2 1M 1M", "write -z 3M 64k", "discard 5M 1M");
        Path top = dir.resolve("top.qcow2");
        Peer.qemuImg("create", "-q", "-f", "qcow2", "-b", "mid.qcow2", "-F", "qcow2",
                "-o", "extended_l2=on", top.toString(), "12M");
        Peer.qemuIo(top, "qcow2", "write -P 3 1536k 4k", "write -P 4 9M 100k",
                "write -z 1M 8k");
        Path top2 = dir.resolve("top2.qcow2");
        Peer.qemuImg("create", "-q", "-f", "qcow2", "-b", "top.qcow2", "-F", "qcow2", top2.toString());
        Peer.qemuIo(top2, "qcow2", "write -P 5 7M 3k");
        assertArrayEquals(Peer.contents(top2), Peer.readAll(top2));
    }

    @Test
    void readsQemuSnapshots() throws Exception {
        Path img = dir.resolve("s.qcow2");
        Peer.qemuImg("create", "-q", "-f", "qcow2", img.toString(), "4M");
        Peer.qemuIo(img, "qcow2", "write -P 1 0 1M");
        Peer.qemuImg("snapshot", "-c", "one", img.toString());
        Peer.qemuIo(img, "qcow2", "write -P 2 512k 1M");
        byte[] now = Peer.contents(img);
        try (Qcow2Image q = Qcow2Image.open(img, false)) {
            assertEquals(1, q.snapshots().size());
            assertEquals("one", q.snapshots().get(0).name());
        }
        assertArrayEquals(now, Peer.readAll(img));
        try (Qcow2Image q = Qcow2Image.open(img, false)) {
            q.applySnapshot("one");
        }
        Peer.ok("qemu-img", "check", img.toString());
        byte[] expect = new byte[4 << 20];
        java.util.Arrays.fill(expect, 0, 1 << 20, (byte) 1);
        assertArrayEquals(expect, Peer.contents(img));
        try (BlockDevice d = Images.open(img, "qcow2", true)) {
            assertEquals(4 << 20, d.size());
        }
    }
}
