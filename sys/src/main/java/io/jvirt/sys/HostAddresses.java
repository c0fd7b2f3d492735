package io.jvirt.sys;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Unchecked little-endian access to host memory by absolute address, for the software CPU's
 * TLB fast paths: its TLB holds, for each RAM page it maps, the host address of that page in
 * a {@link HostMemory} block ({@link HostMemory#address()} plus the page's offset), and reads
 * and writes guest RAM here. Through {@link HostMemory}'s accessors each access also checks the
 * block's bounds and that its mapping is still open, and HotSpot re-does those checks on every
 * access of a translated loop whose profile has seen a slow path; through one global segment
 * an access is a load or a store.
 *
 * <p>Nothing is checked: the caller promises that the address lies inside a block that stays
 * mapped for as long as it may be used (guest RAM is unmapped only after the vCPU threads
 * have stopped).
 */
public final class HostAddresses {
    /** All of the address space, global scope: no bounds or liveness checks beyond 0 <= address. */
    private static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private HostAddresses() {
    }

    public static byte getByte(long address) { return ALL.get(ValueLayout.JAVA_BYTE, address); }
    public static short getShort(long address) { return ALL.get(SHORT, address); }
    public static int getInt(long address) { return ALL.get(INT, address); }
    public static long getLong(long address) { return ALL.get(LONG, address); }
    public static void putByte(long address, byte value) { ALL.set(ValueLayout.JAVA_BYTE, address, value); }
    public static void putShort(long address, short value) { ALL.set(SHORT, address, value); }
    public static void putInt(long address, int value) { ALL.set(INT, address, value); }
    public static void putLong(long address, long value) { ALL.set(LONG, address, value); }
}
