package io.jvirt.block.raw;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.block.BlockException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scatter reads and gather writes of a raw image ({@link RawFile#read(long, ByteBuffer[])}):
 * the bytes land in the buffers in order, and two threads doing them at different offsets at
 * once never see each other's file position.
 */
class RawVectorIoTest {
    private static final int SIZE = 1 << 20;

    @TempDir
    Path dir;

    private Path image(byte[] content) throws Exception {
        Path p = dir.resolve("disk.raw");
        Files.write(p, content);
        return p;
    }

    private static byte[] pattern() {
        byte[] b = new byte[SIZE];
        new Random(7).nextBytes(b);
        return b;
    }

    private static ByteBuffer[] direct(int... sizes) {
        ByteBuffer[] out = new ByteBuffer[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            out[i] = ByteBuffer.allocateDirect(sizes[i]);
        }
        return out;
    }

    private static byte[] concat(ByteBuffer[] buffers) {
        int n = 0;
        for (ByteBuffer b : buffers) {
            n += b.capacity();
        }
        byte[] out = new byte[n];
        int at = 0;
        for (ByteBuffer b : buffers) {
            b.get(0, out, at, b.capacity());
            at += b.capacity();
        }
        return out;
    }

    @Test
    void aScatterReadFillsTheBuffersInOrder() throws Exception {
        byte[] content = pattern();
        try (RawImage img = RawImage.open(image(content), true)) {
            ByteBuffer[] bufs = direct(4096, 512, 8192);
            img.read(12288, bufs);
            assertArrayEquals(Arrays.copyOfRange(content, 12288, 12288 + 4096 + 512 + 8192), concat(bufs));
            for (ByteBuffer b : bufs) {
                assertTrue(!b.hasRemaining(), "each buffer is consumed");
            }
        }
    }

    @Test
    void aGatherWriteLandsInOrder() throws Exception {
        byte[] content = pattern();
        Path p = image(content);
        ByteBuffer[] bufs = direct(1024, 3072, 512);
        byte[] data = new byte[1024 + 3072 + 512];
        new Random(8).nextBytes(data);
        int at = 0;
        for (ByteBuffer b : bufs) {
            b.put(0, data, at, b.capacity());
            at += b.capacity();
        }
        try (RawImage img = RawImage.open(p, false)) {
            img.write(4096, bufs);
        }
        System.arraycopy(data, 0, content, 4096, data.length);
        assertArrayEquals(content, Files.readAllBytes(p));
    }

    @Test
    void aScatterReadPastTheEndFailsAndNamesTheFile() throws Exception {
        try (RawImage img = RawImage.open(image(pattern()), true)) {
            BlockException e = assertThrows(BlockException.class, () -> img.read(SIZE - 4096, direct(4096, 512)));
            assertTrue(e.getMessage().contains("disk.raw") && e.getMessage().contains("outside the image"), e.getMessage());
        }
    }

    @Test
    void concurrentScatterReadsKeepTheirOwnOffsets() throws Exception {
        byte[] content = pattern();
        try (RawImage img = RawImage.open(image(content), true);
             ExecutorService pool = Executors.newFixedThreadPool(2)) {
            Future<?>[] done = new Future<?>[2];
            for (int t = 0; t < 2; t++) {
                long seed = t;
                done[t] = pool.submit(() -> {
                    Random r = new Random(seed);
                    for (int i = 0; i < 3000; i++) {
                        int off = r.nextInt(SIZE / 512 - 16) * 512;
                        ByteBuffer[] bufs = direct(512, 2048, 1024);
                        img.read(off, bufs);
                        assertArrayEquals(Arrays.copyOfRange(content, off, off + 3584), concat(bufs), "at " + off);
                    }
                    return null;
                });
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
    }
}
