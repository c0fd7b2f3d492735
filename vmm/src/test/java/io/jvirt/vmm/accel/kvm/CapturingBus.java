package io.jvirt.vmm.accel.kvm;

import io.jvirt.vmm.devices.BusDevice;
import io.jvirt.vmm.devices.IoBus;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A real {@link IoBus} with one device that records every access and answers reads with a fixed value. */
final class CapturingBus implements BusDevice {

    record Access(long address, int size, long value, boolean write) {
    }

    final IoBus bus;
    final List<Access> accesses = new CopyOnWriteArrayList<>();
    private final long base;
    private final long readValue;

    CapturingBus(String name, long base, long length, long readValue) {
        this.bus = IoBus.create(name);
        this.base = base;
        this.readValue = readValue;
        bus.register(base, length, this);
    }

    @Override
    public long read(long offset, int size) {
        accesses.add(new Access(base + offset, size, readValue, false));
        return size == 8 ? readValue : readValue & ((1L << (8 * size)) - 1);
    }

    @Override
    public void write(long offset, int size, long value) {
        accesses.add(new Access(base + offset, size, value, true));
    }

    /** The bytes written with size 1 to {@code address}, as a string. */
    String bytesWrittenTo(long address) {
        StringBuilder s = new StringBuilder();
        for (Access a : accesses) {
            if (a.write() && a.address() == address && a.size() == 1) {
                s.append((char) a.value());
            }
        }
        return s.toString();
    }

    List<Long> valuesWrittenTo(long address) {
        return accesses.stream().filter(a -> a.write() && a.address() == address).map(Access::value).toList();
    }
}
