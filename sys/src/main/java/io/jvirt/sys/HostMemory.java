package io.jvirt.sys;

import java.nio.ByteBuffer;

/**
 * A block of host memory mapped anonymously (mmap MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE),
 * used as guest RAM. Pages are committed by the kernel on first touch, so a large guest
 * costs only what it uses.
 *
 * <p>Accessors take a byte offset into the block and use little-endian order, the x86 byte
 * order. Offsets are checked: an access outside the block throws
 * {@link IndexOutOfBoundsException}, never touches other host memory.
 *
 * <p>{@link #address()} is the host virtual address, for KVM_SET_USER_MEMORY_REGION.
 * Instances are safe for concurrent use by several threads (guest RAM is shared by vCPUs and
 * device threads); like real RAM, unsynchronised accesses may interleave.
 */
public interface HostMemory extends AutoCloseable {

    /** Maps {@code size} bytes (rounded up to a page) of zeroed anonymous memory. */
    static HostMemory allocate(long size) {
        return AnonymousMemory.map(size);
    }

    long size();

    long address();

    byte getByte(long offset);

    short getShort(long offset);

    int getInt(long offset);

    long getLong(long offset);

    void putByte(long offset, byte value);

    void putShort(long offset, short value);

    void putInt(long offset, int value);

    void putLong(long offset, long value);

    /** Copies {@code length} bytes at {@code offset} into {@code dst[dstOffset…]}. */
    void read(long offset, byte[] dst, int dstOffset, int length);

    /** Copies {@code length} bytes of {@code src[srcOffset…]} to {@code offset}. */
    void write(long offset, byte[] src, int srcOffset, int length);

    /**
     * Copies {@code length} bytes from {@code srcOffset} to {@code dstOffset} within the block,
     * as memmove does: overlapping ranges end up holding what the source held.
     */
    void copy(long srcOffset, long dstOffset, long length);

    /**
     * A direct buffer over {@code length} bytes at {@code offset}, for I/O between a host file
     * and this memory with no copy in between. Its position is 0 and its limit {@code length};
     * it is valid until {@link #close}.
     */
    ByteBuffer buffer(long offset, int length);

    /** Sets {@code length} bytes at {@code offset} to {@code value}. */
    void fill(long offset, long length, byte value);

    /** Atomic compare-and-set of a 64-bit word (offset must be 8-aligned); for LOCK CMPXCHG. */
    boolean compareAndSetLong(long offset, long expected, long value);

    /** Atomic compare-and-set of a 32-bit word (offset must be 4-aligned). */
    boolean compareAndSetInt(long offset, int expected, int value);

    /**
     * Unmaps the block; later accesses through this interface throw
     * {@link IllegalStateException}. Accesses by raw address ({@link HostAddresses}) are not
     * checked and would fault the JVM: their users must stop before the block is closed.
     */
    @Override
    void close();
}
