package io.jvirt.vmm.arch.x86_64.firmware;

import io.jvirt.sys.HostMemory;
import io.jvirt.vmm.memory.GuestMemory;
import io.jvirt.vmm.memory.GuestMemoryException;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link GuestMemory} over real anonymous host memory with the given RAM regions, for tests
 * of code that writes or walks guest memory (the machine's own implementation lives elsewhere).
 * Every access is checked against the regions exactly as the contract says.
 */
public final class TestGuestMemory implements GuestMemory, AutoCloseable {
    private final List<Region> regions;
    private final HostMemory backing;
    private final long ramSize;

    /** RAM at [gpa, gpa + size) for each pair of {@code gpaAndSize}. */
    public TestGuestMemory(long... gpaAndSize) {
        List<Region> rs = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < gpaAndSize.length; i += 2) {
            rs.add(new Region(gpaAndSize[i], gpaAndSize[i + 1], offset));
            offset += gpaAndSize[i + 1];
        }
        this.regions = List.copyOf(rs);
        this.ramSize = offset;
        this.backing = HostMemory.allocate(offset);
    }

    @Override
    public List<Region> regions() {
        return regions;
    }

    @Override
    public long ramSize() {
        return ramSize;
    }

    @Override
    public HostMemory backing() {
        return backing;
    }

    @Override
    public long backingOffset(long gpa, long length) {
        if (length < 0) {
            return -1;
        }
        for (Region r : regions) {
            if (gpa >= r.guestAddress() && gpa < r.end()) {
                return length <= r.end() - gpa ? r.backingOffset() + (gpa - r.guestAddress()) : -1;
            }
        }
        return -1;
    }

    private long at(long gpa, long length) {
        long o = backingOffset(gpa, length);
        if (o < 0) {
            throw new GuestMemoryException(gpa, length);
        }
        return o;
    }

    @Override
    public byte readByte(long gpa) {
        return backing.getByte(at(gpa, 1));
    }

    @Override
    public short readShort(long gpa) {
        return backing.getShort(at(gpa, 2));
    }

    @Override
    public int readInt(long gpa) {
        return backing.getInt(at(gpa, 4));
    }

    @Override
    public long readLong(long gpa) {
        return backing.getLong(at(gpa, 8));
    }

    @Override
    public void writeByte(long gpa, byte value) {
        backing.putByte(at(gpa, 1), value);
    }

    @Override
    public void writeShort(long gpa, short value) {
        backing.putShort(at(gpa, 2), value);
    }

    @Override
    public void writeInt(long gpa, int value) {
        backing.putInt(at(gpa, 4), value);
    }

    @Override
    public void writeLong(long gpa, long value) {
        backing.putLong(at(gpa, 8), value);
    }

    @Override
    public void read(long gpa, byte[] dst, int offset, int length) {
        backing.read(at(gpa, length), dst, offset, length);
    }

    @Override
    public void write(long gpa, byte[] src, int offset, int length) {
        backing.write(at(gpa, length), src, offset, length);
    }

    @Override
    public void close() {
        backing.close();
    }
}
