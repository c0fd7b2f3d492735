package io.jvirt.vmm.memory;

import io.jvirt.sys.HostMemory;
import java.util.List;

/**
 * {@link GuestMemory} over one {@link HostMemory}: a short, sorted list of regions. Lookups
 * scan the list (at most two regions on x86: below the MMIO hole and above 4 GiB).
 */
final class RegionMemory implements GuestMemory {

    private final HostMemory backing;
    private final List<Region> regions;
    private final Region[] array;
    private final long ramSize;

    RegionMemory(HostMemory backing, List<Region> regions) {
        this.backing = backing;
        this.regions = List.copyOf(regions);
        this.array = this.regions.toArray(Region[]::new);
        long total = 0;
        for (Region r : array) {
            total += r.size();
        }
        this.ramSize = total;
    }

    @Override public List<Region> regions() { return regions; }
    @Override public long ramSize() { return ramSize; }
    @Override public HostMemory backing() { return backing; }

    @Override
    public long backingOffset(long gpa, long length) {
        if (length < 0) {
            return -1;
        }
        for (Region r : array) {
            long off = gpa - r.guestAddress();
            // Unsigned comparisons: gpa below the region gives a huge unsigned offset.
            if (Long.compareUnsigned(off, r.size()) < 0) {
                if (Long.compareUnsigned(length, r.size() - off) > 0) {
                    return -1;
                }
                return r.backingOffset() + off;
            }
        }
        return -1;
    }

    private long at(long gpa, long length) {
        long off = backingOffset(gpa, length);
        if (off < 0) {
            throw new GuestMemoryException(gpa, length);
        }
        return off;
    }

    @Override public byte readByte(long gpa) { return backing.getByte(at(gpa, 1)); }
    @Override public short readShort(long gpa) { return backing.getShort(at(gpa, 2)); }
    @Override public int readInt(long gpa) { return backing.getInt(at(gpa, 4)); }
    @Override public long readLong(long gpa) { return backing.getLong(at(gpa, 8)); }
    @Override public void writeByte(long gpa, byte value) { backing.putByte(at(gpa, 1), value); }
    @Override public void writeShort(long gpa, short value) { backing.putShort(at(gpa, 2), value); }
    @Override public void writeInt(long gpa, int value) { backing.putInt(at(gpa, 4), value); }
    @Override public void writeLong(long gpa, long value) { backing.putLong(at(gpa, 8), value); }

    @Override
    public void read(long gpa, byte[] dst, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, dst.length);
        backing.read(at(gpa, length), dst, offset, length);
    }

    @Override
    public void write(long gpa, byte[] src, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, src.length);
        backing.write(at(gpa, length), src, offset, length);
    }
}
