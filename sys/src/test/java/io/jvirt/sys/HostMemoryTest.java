package io.jvirt.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
