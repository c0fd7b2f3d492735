package io.jvirt.vmm.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Lz4Legacy} against frames written by the real {@code lz4 -l} (as the kernel build runs it). */
class Lz4LegacyTest {

    @TempDir
    Path dir;

    @Test
    void decodesWhatLz4WritesIncludingSeveralBlocks() throws Exception {
        Random r = new Random(11);
        byte[] mixed = new byte[(19 << 20) + 12345]; // three blocks: 8 + 8 + 3 MiB
        for (int i = 0; i < mixed.length; ) {
            int run = 1 + r.nextInt(300);
            if (r.nextBoolean()) { // random bytes
                for (int k = 0; k < run && i < mixed.length; k++) {
                    mixed[i++] = (byte) r.nextInt();
                }
            } else { // a repeat of earlier data, sometimes overlapping itself
                int from = Math.max(0, i - 1 - r.nextInt(70000));
                for (int k = 0; k < run && i < mixed.length; k++) {
                    mixed[i++] = mixed[from + k];
                }
            }
        }
        for (byte[] data : new byte[][] {mixed, new byte[5 << 20], "a".getBytes(), text(), periodic(r)}) {
            byte[] frame = lz4(data);
            assertTrue(Lz4Legacy.isLz4Legacy(frame, 0, frame.length));
            assertArrayEquals(data, Lz4Legacy.decode(frame, 0, frame.length, data.length));
        }
    }

    @Test
    void aWrongLengthOrATruncatedFrameIsAnError() throws Exception {
        byte[] data = text();
        byte[] frame = lz4(data);
        assertThrows(IllegalArgumentException.class, () -> Lz4Legacy.decode(frame, 0, frame.length, data.length + 1));
        assertThrows(IllegalArgumentException.class, () -> Lz4Legacy.decode(frame, 0, frame.length - 3, data.length));
        assertThrows(IllegalArgumentException.class, () -> Lz4Legacy.decode(frame, 0, frame.length, data.length - 1));
    }

    /** Random damage never escapes as anything but IllegalArgumentException; what decodes has the size given. */
    @Test
    void corruptFramesFailCleanly() throws Exception {
        byte[] data = text();
        byte[] frame = lz4(data);
        Random r = new Random(5);
        int failed = 0;
        for (int round = 0; round < 20000; round++) {
            byte[] bad = frame.clone();
            for (int k = 1 + r.nextInt(4); k > 0; k--) {
                bad[4 + r.nextInt(bad.length - 4)] = (byte) r.nextInt();
            }
            int length = r.nextInt(8) == 0 ? r.nextInt(bad.length) : bad.length;
            try {
                assertEquals(data.length, Lz4Legacy.decode(bad, 0, length, data.length).length);
            } catch (IllegalArgumentException expected) {
                failed++;
            } catch (RuntimeException e) {
                fail("round " + round + ": " + e, e);
            }
        }
        assertTrue(failed > 10000, "most damage is detected: " + failed);
    }

    private static byte[] text() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 20000; i++) {
            s.append("line ").append(i % 97).append(": the quick brown fox\n");
        }
        return s.toString().getBytes();
    }

    /**
     * Runs that repeat a random pattern of every period from 1 to 64 bytes: lz4 writes them as
     * matches that overlap themselves (offset = period, shorter than the match), which the
     * decoder copies in growing chunks.
     */
    private static byte[] periodic(Random r) {
        byte[] out = new byte[64 * 3000];
        int i = 0;
        for (int period = 1; period <= 64; period++) {
            int start = i;
            for (int k = 0; k < period; k++) {
                out[i++] = (byte) r.nextInt();
            }
            while (i < start + 3000) {
                out[i] = out[i - period];
                i++;
            }
        }
        return out;
    }

    private byte[] lz4(byte[] data) throws IOException, InterruptedException {
        Path in = Files.write(dir.resolve("in"), data);
        Path out = dir.resolve("out.lz4");
        Files.deleteIfExists(out);
        Process p = new ProcessBuilder("lz4", "-l", "-9", "-q", in.toString(), out.toString())
                .redirectErrorStream(true).start();
        String msg = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "lz4 -l failed (apt-get install lz4): " + msg);
        byte[] frame = Files.readAllBytes(out);
        assertTrue(frame.length > 4 && !Arrays.equals(frame, data));
        return frame;
    }
}
