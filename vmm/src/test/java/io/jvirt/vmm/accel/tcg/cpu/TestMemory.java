package io.jvirt.vmm.accel.tcg.cpu;

import io.jvirt.sys.HostMemory;
import io.jvirt.vmm.memory.GuestMemory;
import io.jvirt.vmm.memory.GuestMemoryException;
import java.util.List;

/** One RAM region at guest-physical 0 over anonymous host memory, for CPU tests. */
final class TestMemory implements GuestMemory {
    private final HostMemory host;
    private final long size;

    TestMemory(long size) {
        this.size = size;
        this.host = HostMemory.allocate(size);
    }

    @Override public List<Region> regions() { return List.of(new Region(0, size, 0)); }
    @Override public long ramSize() { return size; }
    @Override public HostMemory backing() { return host; }

    @Override
    public long backingOffset(long gpa, long length) {
        return gpa >= 0 && length >= 0 && gpa + length <= size ? gpa : -1;
    }

    private long off(long gpa, long len) {
        long o = backingOffset(gpa, len);
        if (o < 0) {
            throw new GuestMemoryException(gpa, len);
        }
        return o;
    }

    @Override public byte readByte(long gpa) { return host.getByte(off(gpa, 1)); }
    @Override public short readShort(long gpa) { return host.getShort(off(gpa, 2)); }
    @Override public int readInt(long gpa) { return host.getInt(off(gpa, 4)); }
    @Override public long readLong(long gpa) { return host.getLong(off(gpa, 8)); }
    @Override public void writeByte(long gpa, byte v) { host.putByte(off(gpa, 1), v); }
    @Override public void writeShort(long gpa, short v) { host.putShort(off(gpa, 2), v); }
    @Override public void writeInt(long gpa, int v) { host.putInt(off(gpa, 4), v); }
    @Override public void writeLong(long gpa, long v) { host.putLong(off(gpa, 8), v); }
    @Override public void read(long gpa, byte[] dst, int o, int len) { host.read(off(gpa, len), dst, o, len); }
    @Override public void write(long gpa, byte[] src, int o, int len) { host.write(off(gpa, len), src, o, len); }
}
