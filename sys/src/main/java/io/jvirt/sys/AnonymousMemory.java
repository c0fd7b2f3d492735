package io.jvirt.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** {@link HostMemory} over an anonymous mmap, reached through a {@link MemorySegment}. */
final class AnonymousMemory implements HostMemory {

    // <sys/mman.h>, asm-generic/mman-common.h
    private static final int PROT_READ = 0x1;
    private static final int PROT_WRITE = 0x2;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MAP_NORESERVE = 0x4000;
    private static final long PAGE = 4096;
    /** x86-64's 2 MiB page, the unit of a transparent huge page. */
    private static final long HUGE_PAGE = 2L << 20;

    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle ALIGNED_LONG = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
    private static final VarHandle ALIGNED_INT = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

    private final Arena arena;
    private final MemorySegment segment;

    private AnonymousMemory(Arena arena, MemorySegment segment) {
        this.arena = arena;
        this.segment = segment;
    }

    static AnonymousMemory map(long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("memory size must be positive, got " + size);
        }
        long length = (size + PAGE - 1) & -PAGE;
        long mapped = length + HUGE_PAGE; // room to start the block on a huge-page boundary
        MemorySegment base;
        try {
            base = Libc.mmap(mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0L,
                    "guest memory");
        } catch (SysException e) {
            throw new OutOfMemoryError("cannot map " + length + " bytes of guest memory (" + e.errnoName()
                    + "); lower --memory");
        }
        MemorySegment start = MemorySegment.ofAddress(base.address() + (-base.address() & (HUGE_PAGE - 1)))
                .reinterpret(length);
        try {
            // Transparent huge pages, as QEMU asks for its RAM: the host's TLB then covers a
            // guest's RAM with 2 MiB entries. Where the kernel's THP mode is "never" or absent,
            // 4 KiB pages serve as before.
            Libc.madvise(start, length, LinuxConstants.MADV_HUGEPAGE, "guest memory");
        } catch (SysException e) {
            // no huge pages here
        }
        Arena arena = Arena.ofShared();
        MemorySegment segment = start.reinterpret(length, arena,
                s -> Libc.munmap(base, mapped, "guest memory"));
        return new AnonymousMemory(arena, segment);
    }

    @Override public long size() { return segment.byteSize(); }
    @Override public long address() { return segment.address(); }
    @Override public byte getByte(long offset) { return segment.get(ValueLayout.JAVA_BYTE, offset); }
    @Override public short getShort(long offset) { return segment.get(SHORT, offset); }
    @Override public int getInt(long offset) { return segment.get(INT, offset); }
    @Override public long getLong(long offset) { return segment.get(LONG, offset); }
    @Override public void putByte(long offset, byte value) { segment.set(ValueLayout.JAVA_BYTE, offset, value); }
    @Override public void putShort(long offset, short value) { segment.set(SHORT, offset, value); }
    @Override public void putInt(long offset, int value) { segment.set(INT, offset, value); }
    @Override public void putLong(long offset, long value) { segment.set(LONG, offset, value); }

    @Override
    public void read(long offset, byte[] dst, int dstOffset, int length) {
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, offset, dst, dstOffset, length);
    }

    @Override
    public void write(long offset, byte[] src, int srcOffset, int length) {
        MemorySegment.copy(src, srcOffset, segment, ValueLayout.JAVA_BYTE, offset, length);
    }

    @Override
    public void copy(long srcOffset, long dstOffset, long length) {
        MemorySegment.copy(segment, srcOffset, segment, dstOffset, length);
    }

    @Override
    public ByteBuffer buffer(long offset, int length) {
        return segment.asSlice(offset, length).asByteBuffer();
    }

    @Override
    public void fill(long offset, long length, byte value) {
        segment.asSlice(offset, length).fill(value);
    }

    @Override
    public boolean compareAndSetLong(long offset, long expected, long value) {
        return ALIGNED_LONG.compareAndSet(segment, offset, expected, value);
    }

    @Override
    public boolean compareAndSetInt(long offset, int expected, int value) {
        return ALIGNED_INT.compareAndSet(segment, offset, expected, value);
    }

    @Override
    public void close() {
        arena.close();
    }
}
