package io.jvirt.block.qcow2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.block.Peer;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The races of concurrent requests, each forced into its bad interleaving with {@link TestHooks}
 * (no timing, no luck): a request is stopped at the dangerous point while the other runs to
 * completion. Each test fails when the protection it names is removed: freeing a replaced
 * cluster at once instead of after write-back (see {@link Tables}), or publishing a cluster
 * without re-checking the entry, or not redoing the write after losing that race.
 */
class RaceTest {

    private static final int CS = 65536;

    @TempDir
    Path dir;

    @BeforeAll
    static void peer() {
        Peer.assumeInstalled();
    }

    @AfterEach
    void unhook() {
        TestHooks.afterLookup = null;
        TestHooks.beforePublish = null;
    }

    private Qcow2Image create(String name) throws Exception {
        Path p = dir.resolve(name);
        Qcow2Image.create(p, new Qcow2Image.CreateOptions(4L << 20, 3, CS, 16, false, false,
                "zlib", "off", null, null));
        return Qcow2Image.open(p, false);
    }

    private static byte[] random(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private void assertClean(String name) throws Exception {
        Peer.Result check = Peer.run("qemu-img", "check", dir.resolve(name).toString());
        assertEquals(0, check.exit(), check.out() + check.err());
    }

    /**
     * A reader has looked up a compressed cluster; before it reads the compressed bytes, a writer
     * replaces the cluster with plain data and then allocates another cluster. Freeing the
     * compressed cluster at once would hand it to that allocation, and the reader would
     * decompress someone else's data.
     */
    @Test
    void readerOfACompressedClusterSurvivesItsReplacement() throws Exception {
        byte[] text = new byte[CS];
        for (int i = 0; i < CS; i++) {
            text[i] = (byte) ('a' + (i * 7 + (i >> 9)) % 26);
        }
        byte[] plain = random(1, CS);
        try (Qcow2Image q = create("c.qcow2")) {
            q.writeCompressed(0, text);
            q.flush();
            Thread reader = Thread.currentThread();
            CountDownLatch writerDone = new CountDownLatch(1);
            CompletableFuture<Void> writer = new CompletableFuture<>();
            TestHooks.afterLookup = (f, g) -> {
                if (Thread.currentThread() != reader || g != 0) {
                    return;
                }
                TestHooks.afterLookup = null;
                Thread.ofPlatform().start(() -> {
                    try {
                        q.write(0, ByteBuffer.wrap(plain));                       // replaces it
                        q.write(2L * CS, ByteBuffer.wrap(random(2, CS)));         // allocates
                        writer.complete(null);
                    } catch (Throwable t) {
                        writer.completeExceptionally(t);
                    } finally {
                        writerDone.countDown();
                    }
                });
                try {
                    // a fix that makes the writer wait for this reader is fine too: go on then
                    writerDone.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            byte[] back = new byte[CS];
            q.read(0, ByteBuffer.wrap(back));
            assertTrue(Arrays.equals(text, back) || Arrays.equals(plain, back),
                    "the reader saw neither the old nor the new contents");
            writer.get(60, TimeUnit.SECONDS);
            q.read(0, ByteBuffer.wrap(back));
            assertArrayEquals(plain, back);
        }
        assertClean("c.qcow2");
    }

    /**
     * Two writers fill the same unallocated cluster at different offsets. The first stops after
     * filling its new cluster and before publishing it; the second publishes meanwhile. The
     * first must notice, drop its cluster and redo its write on top of the second's.
     */
    @Test
    void writerThatLosesThePublishRaceRedoesItsWrite() throws Exception {
        byte[] a = random(3, 4096);
        byte[] b = random(4, 4096);
        long races = Writer.LOST_RACES.get();
        AtomicInteger stops = new AtomicInteger();
        try (Qcow2Image q = create("w.qcow2")) {
            Thread first = Thread.currentThread();
            TestHooks.beforePublish = (f, g) -> {
                if (Thread.currentThread() != first || stops.getAndIncrement() != 0) {
                    return;
                }
                CompletableFuture<Void> second = CompletableFuture.runAsync(() -> {
                    try {
                        q.write(CS + 8192, ByteBuffer.wrap(b));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, r -> Thread.ofPlatform().start(r));
                second.join();
            };
            q.write(CS, ByteBuffer.wrap(a));
            byte[] back = new byte[CS];
            q.read(CS, ByteBuffer.wrap(back));
            assertArrayEquals(a, Arrays.copyOfRange(back, 0, 4096), "the first write is lost");
            assertArrayEquals(b, Arrays.copyOfRange(back, 8192, 8192 + 4096),
                    "the second write is lost");
            assertArrayEquals(new byte[4096], Arrays.copyOfRange(back, 4096, 8192));
        }
        assertEquals(1, stops.get());
        assertEquals(1, Writer.LOST_RACES.get() - races, "the first writer lost exactly once");
        assertClean("w.qcow2");
    }

    /**
     * Power-loss order: until a flush, the file holds the old mappings and every cluster they
     * point to (a crash at this instant loses the unflushed writes and leaks, nothing worse), and
     * a dropped cluster is not handed out again.
     */
    @Test
    void droppedClustersWaitForTheWriteBack() throws Exception {
        byte[] one = random(5, CS);
        try (Qcow2Image q = create("o.qcow2")) {
            q.write(0, ByteBuffer.wrap(one));
            q.flush();
            long old = q.status(0, CS).hostOffset();
            q.discard(0, CS);
            q.write(CS, ByteBuffer.wrap(random(6, CS)));
            long fresh = q.status(CS, CS).hostOffset();
            assertNotEquals(old, fresh, "a dropped cluster was reused before the write-back");
            // the file as a power loss now would leave it (the page cache is the disk here)
            Peer.Result before = Peer.run("qemu-img", "check", dir.resolve("o.qcow2").toString());
            assertNotEquals(2, before.exit(), before.out() + before.err());
            Peer.ok("qemu-img", "compare", "-f", "raw", "-F", "qcow2",
                    writeRaw("one.raw", one, 4 << 20), dir.resolve("o.qcow2").toString());
            q.flush();
            Peer.ok("qemu-img", "compare", "-f", "raw", "-F", "qcow2",
                    writeRaw("after.raw", concat(new byte[CS], random(6, CS)), 4 << 20),
                    dir.resolve("o.qcow2").toString());
            q.write(3L * CS, ByteBuffer.wrap(one));
            assertEquals(old, q.status(3L * CS, CS).hostOffset(), "released after the flush");
        }
        assertClean("o.qcow2");
    }

    private String writeRaw(String name, byte[] head, int size) throws Exception {
        Path p = dir.resolve(name);
        java.nio.file.Files.write(p, Arrays.copyOf(head, size));
        return p.toString();
    }

    private static byte[] concat(byte[] x, byte[] y) {
        byte[] r = Arrays.copyOf(x, x.length + y.length);
        System.arraycopy(y, 0, r, x.length, y.length);
        return r;
    }
}
