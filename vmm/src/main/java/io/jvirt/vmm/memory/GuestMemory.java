package io.jvirt.vmm.memory;

import io.jvirt.sys.HostMemory;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Guest physical memory: the RAM regions of the machine's memory map, backed by one block of
 * host memory. Addresses outside RAM (the MMIO hole below 4 GiB, anything past the top of
 * RAM) are not memory; accessors throw {@link GuestMemoryException} for them, and the caller
 * (a device walking a descriptor, the software CPU) decides what that means for the guest.
 *
 * <p>Multi-byte values are little-endian. Every access is bounds-checked against the region
 * it falls in, including accesses that straddle the end of a region.
 */
public interface GuestMemory {

    /** One contiguous range of guest-physical RAM and where it lives in {@link #backing()}. */
    record Region(long guestAddress, long size, long backingOffset) {
        public long end() {
            return guestAddress + size;
        }
    }

    /** RAM regions in ascending guest-physical order. */
    List<Region> regions();

    /** Total RAM in bytes (sum of the regions). */
    long ramSize();

    /** The host memory behind all regions; for KVM_SET_USER_MEMORY_REGION and fast paths. */
    HostMemory backing();

    /**
     * Offset into {@link #backing()} of {@code length} bytes at guest-physical {@code gpa}, or
     * -1 when any of them is not RAM (or they straddle two regions).
     */
    long backingOffset(long gpa, long length);

    default boolean isRam(long gpa, long length) {
        return backingOffset(gpa, length) >= 0;
    }

    /**
     * A direct buffer over {@code length} bytes of RAM at {@code gpa}, for I/O between a host
     * file and guest memory with no copy in between; {@link GuestMemoryException} when they
     * are not RAM of one region. Stores through it skip what {@link #write} does besides
     * storing: whoever stores through it calls {@link #stored} afterwards.
     */
    default ByteBuffer buffer(long gpa, int length) {
        long at = backingOffset(gpa, length);
        if (at < 0) {
            throw new GuestMemoryException(gpa, length);
        }
        return backing().buffer(at, length);
    }

    /**
     * Says {@code length} bytes at {@code gpa} were stored through a {@link #buffer}, so that
     * views that watch writes (the software CPU's decoded code) see them as {@link #write}s.
     */
    default void stored(long gpa, long length) {
    }

    byte readByte(long gpa);

    short readShort(long gpa);

    int readInt(long gpa);

    long readLong(long gpa);

    void writeByte(long gpa, byte value);

    void writeShort(long gpa, short value);

    void writeInt(long gpa, int value);

    void writeLong(long gpa, long value);

    void read(long gpa, byte[] dst, int offset, int length);

    void write(long gpa, byte[] src, int offset, int length);

    default byte[] read(long gpa, int length) {
        byte[] b = new byte[length];
        read(gpa, b, 0, length);
        return b;
    }

    default void write(long gpa, byte[] src) {
        write(gpa, src, 0, src.length);
    }
}
