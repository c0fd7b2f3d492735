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
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Several I/O threads write, zero and read one image at once, some of them racing for the same
 * clusters, while another takes snapshots. Afterwards qemu-img check finds no errors and no
 * leaks (a cluster handed out twice would show as refcount 1 with two references), and the
 * contents match the model (threads own disjoint byte ranges, so the model is exact). Which
 * interleavings this hits is luck; the dangerous ones (a lost publish race, a cluster freed
 * under a reader) are forced deterministically in {@link RaceTest}.
 */
class ConcurrencyTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void peer() {
        Peer.assumeInstalled();
    }

    @ParameterizedTest
    @ValueSource(ints = {4096, 65536})
    void threadsShareOneImage(int cs) throws Exception {
        Path img = dir.resolve("c.qcow2");
        int size = 16 << 20;
        Qcow2Image.create(img, new Qcow2Image.CreateOptions(size, 3, cs, 16, false, cs == 65536,
                "zlib", "off", null, null));
        byte[] model = new byte[size];
        int threads = 8;
        int stripe = 512; // threads interleave in 512-byte stripes: they share every cluster
        try (Qcow2Image q = Qcow2Image.open(img, false)) {
            ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
            List<Future<?>> jobs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                jobs.add(pool.submit(() -> {
                    Random r = new Random(id);
                    byte[] buf = new byte[stripe];
                    for (int i = 0; i < 4000; i++) {
                        // mostly a small hot area, so that threads race for the same clusters
                        int area = r.nextInt(5) > 0 ? (48 << 10) : size;
                        int s = r.nextInt(area / stripe / threads) * threads + id;
                        long off = (long) s * stripe;
                        Arrays.fill(buf, (byte) (1 + r.nextInt(255)));
                        if (r.nextInt(10) == 0) {
                            q.writeZeroes(off, stripe);
                            synchronized (model) {
                                Arrays.fill(model, (int) off, (int) off + stripe, (byte) 0);
                            }
                        } else {
                            q.write(off, ByteBuffer.wrap(buf));
                            synchronized (model) {
                                System.arraycopy(buf, 0, model, (int) off, stripe);
                            }
                        }
                        byte[] back = new byte[stripe];
                        q.read(off, ByteBuffer.wrap(back));
                        byte[] want;
                        synchronized (model) {
                            want = Arrays.copyOfRange(model, (int) off, (int) off + stripe);
                        }
                        assertArrayEquals(want, back, "thread " + id + " read its own write");
                    }
                    return null;
                }));
            }
            jobs.add(pool.submit(() -> {
                for (int i = 0; i < 60; i++) {
                    Thread.sleep(2);
                    q.createSnapshot("t" + i);
                }
                return null;
            }));
            for (Future<?> f : jobs) {
                f.get();
            }
            pool.shutdown();
        }
        System.out.println("cluster size " + cs + ": lost publish races so far "
                + Writer.LOST_RACES.get());
        Peer.Result check = Peer.run("qemu-img", "check", img.toString());
        assertEquals(0, check.exit(), check.out() + check.err());
        assertTrue(check.out().contains("No errors"), check.out());
        Path expect = dir.resolve("e.raw");
        Files.write(expect, model);
        Peer.ok("qemu-img", "compare", "-f", "raw", "-F", "qcow2", expect.toString(), img.toString());
    }
}
