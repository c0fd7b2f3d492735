package io.jvirt.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@link HostAddresses} reads and writes the same bytes as {@link HostMemory}'s accessors, little-endian. */
class HostAddressesTest {

    @Test
    void absoluteAccessesSeeTheBlocksBytes() {
        try (HostMemory m = HostMemory.allocate(8192)) {
            long a = m.address();
            HostAddresses.putLong(a + 4093, 0x0807060504030201L); // unaligned, across the block's first page
            assertEquals(0x01, m.getByte(4093));
            assertEquals(0x08, m.getByte(4100));
            assertEquals(0x0807060504030201L, m.getLong(4093));
            m.putInt(16, 0xcafef00d);
            assertEquals(0xcafef00d, HostAddresses.getInt(a + 16));
            assertEquals((short) 0xf00d, HostAddresses.getShort(a + 16));
            assertEquals((byte) 0xca, HostAddresses.getByte(a + 19));
            HostAddresses.putShort(a + 100, (short) 0xbeef);
            HostAddresses.putByte(a + 102, (byte) 0x7f);
            HostAddresses.putInt(a + 200, 0x11223344);
            assertEquals(0x7fbeef, m.getInt(100));
            assertEquals(0x11223344L, m.getLong(200));
            assertEquals(0x0807060504030201L, HostAddresses.getLong(a + 4093));
        }
    }
}
