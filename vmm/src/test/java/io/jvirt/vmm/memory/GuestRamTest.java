package io.jvirt.vmm.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.sys.HostMemory;
import java.util.List;
import org.junit.jupiter.api.Test;

class GuestRamTest {

    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    @Test
    void smallGuestIsOneRegionFromZero() {
        assertEquals(List.of(new GuestMemory.Region(0, 256 * MIB, 0)), GuestRam.layout(256 * MIB));
    }

    @Test
    void largeGuestSkipsTheMmioHole() {
        List<GuestMemory.Region> r = GuestRam.layout(5 * GIB);
        assertEquals(List.of(new GuestMemory.Region(0, 3 * GIB, 0),
                new GuestMemory.Region(4 * GIB, 2 * GIB, 3 * GIB)), r);
    }

    @Test
    void accessesAboveTheHoleLandAfterLowRamInTheBacking() {
        // 3 GiB + 8 MiB mapped with MAP_NORESERVE: only touched pages cost memory.
        try (HostMemory host = HostMemory.allocate(3 * GIB + 8 * MIB)) {
            GuestMemory m = GuestRam.over(host, 3 * GIB + 8 * MIB);
            assertEquals(3 * GIB + 8 * MIB, m.ramSize());
            m.writeLong(4 * GIB + 16, 0x1122334455667788L);
            assertEquals(0x1122334455667788L, host.getLong(3 * GIB + 16));
            assertEquals(0x1122334455667788L, m.readLong(4 * GIB + 16));
            // The hole and beyond the end are not RAM.
            assertFalse(m.isRam(0xfee00000L, 4));
            assertThrows(GuestMemoryException.class, () -> m.readInt(0xfec00000L));
            assertThrows(GuestMemoryException.class, () -> m.readByte(4 * GIB + 8 * MIB));
            // An access straddling the end of low RAM into the hole fails as a whole.
            assertEquals(-1, m.backingOffset(3 * GIB - 4, 8));
            assertThrows(GuestMemoryException.class, () -> m.writeLong(3 * GIB - 4, 1));
            assertTrue(m.isRam(3 * GIB - 8, 8));
        }
    }

    @Test
    void bulkReadWriteAndBoundsOfTheArray() {
        try (HostMemory host = HostMemory.allocate(16 * MIB)) {
            GuestMemory m = GuestRam.over(host, 16 * MIB);
            byte[] data = {1, 2, 3, 4, 5};
            m.write(0x1000, data);
            assertArrayEquals(data, m.read(0x1000, 5));
            assertThrows(IndexOutOfBoundsException.class, () -> m.write(0x1000, data, 3, 5));
            assertThrows(GuestMemoryException.class, () -> m.write(16 * MIB - 2, data));
            assertEquals(-1, m.backingOffset(-8, 4));
            assertEquals(-1, m.backingOffset(0, -1));
        }
    }

    @Test
    void sizeChecksNameTheValueAndTheFix() {
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> GuestRam.check(8 * MIB, 0));
        assertEquals("memory size 8 MiB is below the minimum of 16 MiB; raise --memory (e.g. --memory 256M)",
                small.getMessage());
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                () -> GuestRam.check(64 * GIB, 2 * GIB));
        assertEquals("memory size 64 GiB is more than the host has (2 GiB MemTotal); lower --memory", big.getMessage());
        GuestRam.check(16 * MIB, 2 * GIB);
        assertTrue(GuestRam.hostMemTotal() > 16 * MIB, "MemTotal from /proc/meminfo");
    }
}
