package io.jvirt.vmm.devices.virtio;

import io.jvirt.vmm.memory.GuestMemory;

/**
 * The guest side of a virtio-mmio device as Linux's virtio_mmio.c + virtio_ring.c drive it, in
 * Java: status handshake, feature negotiation, one split queue laid out in guest memory, and
 * helpers to post descriptor chains and read the used ring.
 */
final class TestDriver {
    final VirtioMmio dev;
    final GuestMemory mem;
    long desc;
    long avail;
    long used;
    int size;
    int availIdx;
    /** The queue this driver sets up and kicks (a device with several queues gets a driver per queue). */
    final int queue;

    TestDriver(VirtioMmio dev, GuestMemory mem) {
        this(dev, mem, 0);
    }

    TestDriver(VirtioMmio dev, GuestMemory mem, int queue) {
        this.dev = dev;
        this.mem = mem;
        this.queue = queue;
    }

    int read(int reg) {
        return (int) dev.read(reg, 4);
    }

    void write(int reg, long v) {
        dev.write(reg, 4, v);
    }

    /** Reset, ACKNOWLEDGE|DRIVER, accept {@code features}, FEATURES_OK; returns whether the device kept FEATURES_OK. */
    boolean negotiate(long features) {
        write(MmioTransport.STATUS, 0);
        write(MmioTransport.STATUS, Virtio.ACKNOWLEDGE);
        write(MmioTransport.STATUS, Virtio.ACKNOWLEDGE | Virtio.DRIVER);
        write(MmioTransport.DRIVER_FEATURES_SEL, 0);
        write(MmioTransport.DRIVER_FEATURES, features & 0xffff_ffffL);
        write(MmioTransport.DRIVER_FEATURES_SEL, 1);
        write(MmioTransport.DRIVER_FEATURES, features >>> 32);
        write(MmioTransport.STATUS, Virtio.ACKNOWLEDGE | Virtio.DRIVER | Virtio.FEATURES_OK);
        return (read(MmioTransport.STATUS) & Virtio.FEATURES_OK) != 0;
    }

    long deviceFeatures() {
        write(MmioTransport.DEVICE_FEATURES_SEL, 0);
        long lo = Integer.toUnsignedLong(read(MmioTransport.DEVICE_FEATURES));
        write(MmioTransport.DEVICE_FEATURES_SEL, 1);
        return lo | (long) read(MmioTransport.DEVICE_FEATURES) << 32;
    }

    /** Queue {@link #queue} of {@code size} entries with its rings at desc/avail/used (zeroed first). */
    void setupQueue(int size, long desc, long avail, long used) {
        this.size = size;
        this.desc = desc;
        this.avail = avail;
        this.used = used;
        this.availIdx = 0;
        mem.write(desc, new byte[16 * size]);
        mem.write(avail, new byte[6 + 2 * size]);
        mem.write(used, new byte[6 + 8 * size]);
        write(MmioTransport.QUEUE_SEL, queue);
        write(MmioTransport.QUEUE_NUM, size);
        write(MmioTransport.QUEUE_DESC_LOW, desc);
        write(MmioTransport.QUEUE_DESC_HIGH, desc >>> 32);
        write(MmioTransport.QUEUE_DRIVER_LOW, avail);
        write(MmioTransport.QUEUE_DRIVER_HIGH, avail >>> 32);
        write(MmioTransport.QUEUE_DEVICE_LOW, used);
        write(MmioTransport.QUEUE_DEVICE_HIGH, used >>> 32);
        write(MmioTransport.QUEUE_READY, 1);
    }

    void driverOk() {
        write(MmioTransport.STATUS, read(MmioTransport.STATUS) | Virtio.DRIVER_OK);
    }

    /** Writes descriptor {@code i} of the table at {@code table}. */
    void descriptor(long table, int i, long addr, int len, int flags, int next) {
        long d = table + 16L * i;
        mem.writeLong(d, addr);
        mem.writeInt(d + 8, len);
        mem.writeShort(d + 12, (short) flags);
        mem.writeShort(d + 14, (short) next);
    }

    /** Makes {@code head} available and bumps avail.idx (without notifying). */
    void offer(int head) {
        mem.writeShort(avail + 4 + 2L * (availIdx % size), (short) head);
        availIdx = (availIdx + 1) & 0xffff;
        mem.writeShort(avail + 2, (short) availIdx);
    }

    void kick() {
        write(MmioTransport.QUEUE_NOTIFY, queue);
    }

    int usedIdx() {
        return mem.readShort(used + 2) & 0xffff;
    }

    /** {id, len} of used ring element {@code i}. */
    int[] usedElem(int i) {
        long e = used + 4 + 8L * (i % size);
        return new int[] {mem.readInt(e), mem.readInt(e + 4)};
    }
}
