package io.jvirt.vmm.devices;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/** {@link IoBus} over a sorted map of ranges; lookups are lock-free. */
final class RangeBus implements IoBus {

    private record Range(long base, long length, BusDevice device) {
        boolean contains(long address) {
            return address - base >= 0 && address - base < length;
        }
    }

    private final String name;
    private final ConcurrentSkipListMap<Long, Range> ranges = new ConcurrentSkipListMap<>(Long::compareUnsigned);

    RangeBus(String name) {
        this.name = name;
    }

    @Override
    public synchronized void register(long base, long length, BusDevice device) {
        if (length <= 0) {
            throw new IllegalArgumentException(name + ": empty range at 0x" + Long.toHexString(base));
        }
        Range r = new Range(base, length, device);
        Map.Entry<Long, Range> below = ranges.floorEntry(base + length - 1);
        if (below != null && Long.compareUnsigned(below.getValue().base() + below.getValue().length(), base) > 0) {
            throw new IllegalArgumentException(String.format("%s: range 0x%x+0x%x overlaps 0x%x+0x%x",
                    name, base, length, below.getValue().base(), below.getValue().length()));
        }
        ranges.put(base, r);
    }

    private Range find(long address) {
        Map.Entry<Long, Range> e = ranges.floorEntry(address);
        if (e == null || !e.getValue().contains(address)) {
            return null;
        }
        return e.getValue();
    }

    @Override
    public long read(long address, int size) {
        Range r = find(address);
        if (r == null) {
            return size >= 8 ? -1L : (1L << (size * 8)) - 1;
        }
        return r.device().read(address - r.base(), size);
    }

    @Override
    public void write(long address, int size, long value) {
        Range r = find(address);
        if (r != null) {
            r.device().write(address - r.base(), size, value);
        }
    }

    @Override
    public boolean claims(long address) {
        return find(address) != null;
    }
}
