package io.jvirt.vmm.accel.tcg.cpu;

import io.jvirt.sys.HostMemory;
import io.jvirt.vmm.memory.GuestMemory;
import java.util.List;

/**
 * Guest RAM as devices see it under the software CPU: every write also drops the decoded (and
 * translated) code of the pages it touches, through the same {@link CodePages} the CPUs use,
 * so a guest can run code that a device (virtio-blk reading an executable) just wrote; stores
 * through a {@link #buffer} do so when the device reports them ({@link #stored}). Writes
 * through {@link #backing()} bypass this, as they bypass every check of GuestMemory.
 */
final class DmaMemory implements GuestMemory {
    private final GuestMemory ram;
    private final CodePages code;

    DmaMemory(GuestMemory ram) {
        this.ram = ram;
        this.code = CodePages.of(ram);
    }

    private void written(long gpa, long length) {
        for (long page = gpa & ~0xfffL; page < gpa + length; page += 4096) {
            code.written(page);
        }
    }

    @Override public List<Region> regions() { return ram.regions(); }
    @Override public long ramSize() { return ram.ramSize(); }
    @Override public HostMemory backing() { return ram.backing(); }
    @Override public long backingOffset(long gpa, long length) { return ram.backingOffset(gpa, length); }
    @Override public byte readByte(long gpa) { return ram.readByte(gpa); }
    @Override public short readShort(long gpa) { return ram.readShort(gpa); }
    @Override public int readInt(long gpa) { return ram.readInt(gpa); }
    @Override public long readLong(long gpa) { return ram.readLong(gpa); }
    @Override public void read(long gpa, byte[] dst, int offset, int length) { ram.read(gpa, dst, offset, length); }

    @Override
    public void writeByte(long gpa, byte value) {
        ram.writeByte(gpa, value);
        written(gpa, 1);
    }

    @Override
    public void writeShort(long gpa, short value) {
        ram.writeShort(gpa, value);
        written(gpa, 2);
    }

    @Override
    public void writeInt(long gpa, int value) {
        ram.writeInt(gpa, value);
        written(gpa, 4);
    }

    @Override
    public void writeLong(long gpa, long value) {
        ram.writeLong(gpa, value);
        written(gpa, 8);
    }

    @Override
    public void stored(long gpa, long length) {
        written(gpa, length);
    }

    @Override
    public void write(long gpa, byte[] src, int offset, int length) {
        ram.write(gpa, src, offset, length);
        written(gpa, length);
    }
}
