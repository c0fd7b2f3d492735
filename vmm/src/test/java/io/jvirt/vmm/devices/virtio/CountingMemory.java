package io.jvirt.vmm.devices.virtio;

import io.jvirt.sys.HostMemory;
import io.jvirt.vmm.memory.GuestMemory;
import io.jvirt.vmm.memory.GuestMemoryException;
import java.nio.ByteBuffer;
import java.util.List;

/** Guest memory that counts every access outside RAM (each would be a VMM bug in the queue code). */
final class CountingMemory implements GuestMemory {
    private final GuestMemory ram;
    long outside;

    CountingMemory(GuestMemory ram) {
        this.ram = ram;
    }

    private long check(long gpa, long length) {
        if (ram.backingOffset(gpa, length) < 0) {
            outside++;
            throw new GuestMemoryException(gpa, length);
        }
        return gpa;
    }

    @Override
    public List<Region> regions() {
        return ram.regions();
    }

    @Override
    public long ramSize() {
        return ram.ramSize();
    }

    @Override
    public HostMemory backing() {
        throw new UnsupportedOperationException("queue code must go through the checked accessors");
    }

    @Override
    public long backingOffset(long gpa, long length) {
        return ram.backingOffset(gpa, length);
    }

    @Override
    public byte readByte(long gpa) {
        return ram.readByte(check(gpa, 1));
    }

    @Override
    public short readShort(long gpa) {
        return ram.readShort(check(gpa, 2));
    }

    @Override
    public int readInt(long gpa) {
        return ram.readInt(check(gpa, 4));
    }

    @Override
    public long readLong(long gpa) {
        return ram.readLong(check(gpa, 8));
    }

    @Override
    public void writeByte(long gpa, byte value) {
        ram.writeByte(check(gpa, 1), value);
    }

    @Override
    public void writeShort(long gpa, short value) {
        ram.writeShort(check(gpa, 2), value);
    }

    @Override
    public void writeInt(long gpa, int value) {
        ram.writeInt(check(gpa, 4), value);
    }

    @Override
    public void writeLong(long gpa, long value) {
        ram.writeLong(check(gpa, 8), value);
    }

    @Override
    public ByteBuffer buffer(long gpa, int length) {
        return ram.buffer(check(gpa, length), length);
    }

    @Override
    public void read(long gpa, byte[] dst, int offset, int length) {
        ram.read(check(gpa, length), dst, offset, length);
    }

    @Override
    public void write(long gpa, byte[] src, int offset, int length) {
        ram.write(check(gpa, length), src, offset, length);
    }
}
