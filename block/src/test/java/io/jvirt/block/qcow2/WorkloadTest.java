package io.jvirt.block.qcow2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.block.Peer;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded random workloads of writes, zero-writes, discards, compressed writes, snapshots and
 * resizes through jvirt, checked against an in-memory model, then by the peer: qemu-img check
 * finds no errors and no leaks, qemu-img compare matches the model, and qemu-img applies the
 * snapshots jvirt made.
 */
class WorkloadTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void peer() {
        Peer.assumeInstalled();
    }

    static Qcow2Image.CreateOptions opts(int version, int cs, int rb, boolean ext, boolean lazy,
                                         String comp, String prealloc) {
        return new Qcow2Image.CreateOptions(4 << 20, version, cs, rb, lazy, ext, comp, prealloc,
                null, null);
    }

    static Stream<Arguments> configs() {
        return Stream.of(
                Arguments.of(1L, opts(3, 65536, 16, false, false, "zlib", "off")),
                Arguments.of(2L, opts(2, 65536, 16, false, false, "zlib", "off")),
                Arguments.of(3L, opts(3, 512, 16, false, false, "zlib", "off")),
                Arguments.of(4L, opts(3, 4096, 2, false, false, "zlib", "off")),
                Arguments.of(5L, opts(3, 65536, 64, false, false, "zstd", "off")),
                Arguments.of(6L, opts(3, 32768, 16, true, false, "zlib", "off")),
                Arguments.of(7L, opts(3, 65536, 16, false, true, "zlib", "metadata")),
                Arguments.of(8L, opts(3, 2 << 20, 8, false, false, "zlib", "off")),
                Arguments.of(9L, opts(2, 1024, 16, false, false, "zlib", "full")),
                Arguments.of(10L, opts(3, 16384, 32, true, false, "zstd", "falloc")),
                Arguments.of(11L, opts(3, 8192, 4, false, false, "zlib", "off")));
    }

    @ParameterizedTest
    @MethodSource("configs")
    void randomWorkload(long seed, Qcow2Image.CreateOptions o) throws Exception {
        Path img = dir.resolve("w.qcow2");
        Qcow2Image.create(img, o);
        Random r = new Random(seed);
        byte[] model = new byte[(int) o.size()];
        Map<String, byte[]> saved = new LinkedHashMap<>();
        int cs = o.clusterSize();
        int snapCount = 0;
        // qemu raises refcounts before lowering them when it applies a snapshot: leave it room
        int maxSnaps = o.refcountBits() >= 8 ? 1000 : (1 << o.refcountBits()) - 3;
        try (Qcow2Image q = Qcow2Image.open(img, false)) {
            List<String> log = new ArrayList<>();
            for (int i = 0; i < 160; i++) {
                int size = model.length;
                int op = r.nextInt(100);
                int off = r.nextInt(size);
                int len = Math.min(size - off, 1 + r.nextInt(3 * cs + 1000));
                if (r.nextBoolean()) {
                    off &= ~511;
                    len = Math.max(512, len & ~511);
                    len = Math.min(len, size - off);
                }
                if (System.getProperty("workload.debug") != null) {
                    q.flush();
                    Files.copy(img, dir.resolve("before.qcow2"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                log.add(i + ":op" + op + "@" + off + "+" + len + " snaps=" + saved.keySet());
                if (op < 45) {
                    byte[] d = new byte[len];
                    if (r.nextBoolean()) {
                        r.nextBytes(d);
                    } else {
                        Arrays.fill(d, (byte) r.nextInt(256));
                    }
                    q.write(off, ByteBuffer.wrap(d));
                    System.arraycopy(d, 0, model, off, len);
                } else if (op < 55) {
                    q.writeZeroes(off, len);
                    Arrays.fill(model, off, off + len, (byte) 0);
                } else if (op < 65) {
                    q.discard(off, len);
                    for (long c = (off + cs - 1L) / cs * cs; c < off + len; c += cs) {
                        if (c + cs <= off + len || off + len == size) {
                            Arrays.fill(model, (int) c, (int) Math.min(size, c + cs), (byte) 0);
                        }
                    }
                } else if (op < 70) {
                    long c = (long) (off / cs) * cs;
                    byte[] d = new byte[cs];
                    for (int k = 0; k < cs; k += 64) {
                        Arrays.fill(d, k, k + 64, (byte) r.nextInt(4));
                    }
                    q.writeCompressed(c, d);
                    System.arraycopy(d, 0, model, (int) c, (int) Math.min(cs, size - c));
                } else if (op < 74 && saved.size() < maxSnaps) {
                    String name = "s" + snapCount++;
                    q.createSnapshot(name);
                    saved.put(name, model.clone());
                } else if (op < 77 && !saved.isEmpty()) {
                    List<String> names = new ArrayList<>(saved.keySet());
                    String name = names.get(r.nextInt(names.size()));
                    q.applySnapshot(name);
                    model = saved.get(name).clone();
                } else if (op < 79 && !saved.isEmpty()) {
                    List<String> names = new ArrayList<>(saved.keySet());
                    String name = names.get(r.nextInt(names.size()));
                    q.deleteSnapshot(name);
                    saved.remove(name);
                } else if (op < 84 && o.version() == 2 && !saved.isEmpty()) {
                    int to = size + 512;
                    org.junit.jupiter.api.Assertions.assertThrows(io.jvirt.block.BlockException.class,
                            () -> q.resize(to));
                } else if (op < 82) {
                    int grow = (1 + r.nextInt(4 * cs)) & ~511;
                    if (size + grow <= (12 << 20)) {
                        q.resize(size + grow);
                        model = Arrays.copyOf(model, size + grow);
                    }
                } else if (op < 84 && size > (1 << 20)) {
                    int shrink = Math.min(size - 512, (1 + r.nextInt(2 * cs)) & ~511);
                    q.resize(size - shrink);
                    model = Arrays.copyOf(model, size - shrink);
                } else {
                    byte[] got = new byte[len];
                    q.read(off, ByteBuffer.wrap(got));
                    assertArrayEquals(Arrays.copyOfRange(model, off, off + len), got,
                            "read at " + off + " len " + len + " op " + i);
                }
                assertEquals(model.length, q.size());
                Qcow2Image.CheckResult cr = q.check(Qcow2Image.Repair.NONE);
                if (cr.leaks() + cr.corruptions() > 0 && System.getProperty("workload.debug") != null) {
                    Files.copy(dir.resolve("before.qcow2"), Path.of("/tmp/before.qcow2"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    q.flush();
                    Files.copy(img, Path.of("/tmp/after.qcow2"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                assertEquals(0, cr.leaks() + cr.corruptions(), "after op " + i + " (" + op
                        + "): " + cr.messages() + " log " + log.subList(Math.max(0, log.size() - 4), log.size()));
            }
            byte[] all = new byte[model.length];
            q.read(0, ByteBuffer.wrap(all));
            assertArrayEquals(model, all, "final read through jvirt");
        }
        Peer.Result check = Peer.run("qemu-img", "check", img.toString());
        assertEquals(0, check.exit(), check.out() + check.err());
        assertTrue(check.out().contains("No errors were found"), check.out());
        Path expect = dir.resolve("expect.raw");
        Files.write(expect, model);
        Peer.ok("qemu-img", "compare", "-f", "raw", "-F", "qcow2", expect.toString(), img.toString());
        Peer.ok("cp", img.toString(), "/tmp/last-workload.qcow2");
        String list = Peer.qemuImg("snapshot", "-l", img.toString());
        for (String name : saved.keySet()) {
            assertTrue(list.contains(" " + name + " "), list);
        }
        if (!saved.isEmpty()) {
            String name = saved.keySet().iterator().next();
            Peer.qemuImg("snapshot", "-a", name, img.toString());
            Files.write(expect, saved.get(name));
            Peer.ok("qemu-img", "compare", "-f", "raw", "-F", "qcow2", expect.toString(),
                    img.toString());
            Peer.ok("qemu-img", "check", img.toString());
        }
    }
}
