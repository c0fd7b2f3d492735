package io.jvirt.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class HostMemoryTest {
    /** copy is a memmove: overlapping ranges, either way round, end up holding what the source held. */
    @Test
    void copyWithinTheBlockIsAMemmove() {
        try (HostMemory m = HostMemory.allocate(4096)) {
            for (int shift : new int[]{-3, 3, 0, 100}) {
                byte[] data = new byte[64];
                for (int i = 0; i < data.length; i++) {
                    data[i] = (byte) (i * 7 + 1);
                }
                m.fill(0, 4096, (byte) 0);
                m.write(1000, data, 0, data.length);
                m.copy(1000, 1000 + shift, data.length);
                byte[] got = new byte[data.length];
                m.read(1000 + shift, got, 0, got.length);
                assertArrayEquals(data, got, "shift " + shift);
            }
        }
    }

    @Test
    void copyOutsideTheBlockThrowsAndWritesNothing() {
        try (HostMemory m = HostMemory.allocate(4096)) {
            m.putLong(4088, 0x1122334455667788L);
            assertThrows(IndexOutOfBoundsException.class, () -> m.copy(4088, 4090, 8));
            assertThrows(IndexOutOfBoundsException.class, () -> m.copy(-1, 0, 8));
            byte[] tail = new byte[8];
            m.read(4088, tail, 0, 8);
            assertArrayEquals(new byte[]{(byte) 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}, tail);
        }
    }

    /** A view is the memory itself, in both directions, and stays inside the block. */
    @Test
    void aBufferViewIsTheMemory() {
        try (HostMemory m = HostMemory.allocate(8192)) {
            m.putLong(4096, 0x0102030405060708L);
            ByteBuffer view = m.buffer(4096, 16);
            assertEquals(16, view.remaining());
            assertEquals(0x08, view.get(0));
            view.put(8, (byte) 0x5a);
            assertEquals(0x5a, m.getByte(4104));
            assertThrows(IndexOutOfBoundsException.class, () -> m.buffer(8190, 4));
        }
    }

    private static final long HUGE = 2L << 20;

    /** Guest RAM starts on a 2 MiB boundary and, where the kernel offers them, gets transparent huge pages. */
    @Test
    void blocksStartOnAHugePageBoundaryAndGetHugePages() throws Exception {
        try (HostMemory m = HostMemory.allocate(5 * HUGE)) {
            assertEquals(0, m.address() % HUGE, "address 0x" + Long.toHexString(m.address()));
            assertEquals(5 * HUGE, m.size());
            Path thp = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
            Assumptions.assumeTrue(Files.exists(thp) && !Files.readString(thp).contains("[never]"),
                    "transparent huge pages are off on this host");
            m.fill(0, 5 * HUGE, (byte) 1);
            assertTrue(hugeKb(m.address()) > 0, "AnonHugePages of the block's mapping is 0");
        }
    }

    /** AnonHugePages (kB) of the mapping in /proc/self/smaps that contains {@code address}. */
    private static long hugeKb(long address) throws Exception {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        boolean inside = false;
        for (String line : lines) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                String[] range = line.substring(0, line.indexOf(' ')).split("-");
                inside = Long.parseUnsignedLong(range[0], 16) <= address && address < Long.parseUnsignedLong(range[1], 16);
            } else if (inside && line.startsWith("AnonHugePages:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }
}
