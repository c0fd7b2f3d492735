package io.jvirt.vmm.devices.virtio;

import io.jvirt.vmm.memory.GuestMemory;
import java.util.ArrayList;
import java.util.List;

/**
 * The guest side of a virtio-net device as Linux's virtio_net.c drives it over virtio-mmio, in
 * Java: two split queues (0 = RX, 1 = TX) without EVENT_IDX, RX buffers posted as single
 * writable descriptors, TX frames as single readable ones.
 */
final class NetGuest {
    static final int SIZE = 32;
    static final int RX_BUF = 2048;
    final VirtioMmio dev;
    final GuestMemory mem;
    final Ring rx = new Ring(0, 0x10000);
    final Ring tx = new Ring(1, 0x20000);
    private int txSlot;

    /** One queue's rings at base, base+0x1000, base+0x2000 and its buffers from base+0x100000. */
    final class Ring {
        final int index;
        final long desc;
        final long avail;
        final long used;
        final long buffers;
        int availIdx;
        int lastUsed;

        Ring(int index, long base) {
            this.index = index;
            this.desc = base;
            this.avail = base + 0x1000;
            this.used = base + 0x2000;
            this.buffers = base + 0x100000L * (index + 1);
        }

        void setup() {
            mem.write(desc, new byte[16 * SIZE]);
            mem.write(avail, new byte[6 + 2 * SIZE]);
            mem.write(used, new byte[6 + 8 * SIZE]);
            write(MmioTransport.QUEUE_SEL, index);
            write(MmioTransport.QUEUE_NUM, SIZE);
            write(MmioTransport.QUEUE_DESC_LOW, desc);
            write(MmioTransport.QUEUE_DRIVER_LOW, avail);
            write(MmioTransport.QUEUE_DEVICE_LOW, used);
            write(MmioTransport.QUEUE_READY, 1);
        }

        void post(int head, long len, boolean writable) {
            long d = desc + 16L * head;
            mem.writeLong(d, buffers + (long) RX_BUF * head);
            mem.writeInt(d + 8, (int) len);
            mem.writeShort(d + 12, (short) (writable ? Virtio.VIRTQ_DESC_F_WRITE : 0));
            mem.writeShort(d + 14, (short) 0);
            mem.writeShort(avail + 4 + 2L * (availIdx % SIZE), (short) head);
            availIdx = (availIdx + 1) & 0xffff;
            mem.writeShort(avail + 2, (short) availIdx);
        }

        long buffer(int head) {
            return buffers + (long) RX_BUF * head;
        }

        int usedIdx() {
            return mem.readShort(used + 2) & 0xffff;
        }

        /** Used elements not seen yet, as {id, len}. */
        List<int[]> takeUsed() {
            List<int[]> out = new ArrayList<>();
            for (int now = usedIdx(); lastUsed != now; lastUsed = (lastUsed + 1) & 0xffff) {
                long e = used + 4 + 8L * (lastUsed % SIZE);
                out.add(new int[] {mem.readInt(e), mem.readInt(e + 4)});
            }
            return out;
        }

        void kick() {
            write(MmioTransport.QUEUE_NOTIFY, index);
        }
    }

    NetGuest(VirtioMmio dev, GuestMemory mem) {
        this.dev = dev;
        this.mem = mem;
    }

    int read(int reg) {
        return (int) dev.read(reg, 4);
    }

    void write(int reg, long v) {
        dev.write(reg, 4, v);
    }

    long deviceFeatures() {
        write(MmioTransport.DEVICE_FEATURES_SEL, 0);
        long lo = Integer.toUnsignedLong(read(MmioTransport.DEVICE_FEATURES));
        write(MmioTransport.DEVICE_FEATURES_SEL, 1);
        return lo | (long) read(MmioTransport.DEVICE_FEATURES) << 32;
    }

    /** Reset, negotiate {@code features}, set both queues up, post every RX buffer, DRIVER_OK, kick RX. */
    boolean start(long features) {
        return start(features, SIZE);
    }

    /** As {@link #start(long)} with only the first {@code rxBuffers} RX buffers posted. */
    boolean start(long features, int rxBuffers) {
        write(MmioTransport.STATUS, 0);
        write(MmioTransport.STATUS, Virtio.ACKNOWLEDGE | Virtio.DRIVER);
        write(MmioTransport.DRIVER_FEATURES_SEL, 0);
        write(MmioTransport.DRIVER_FEATURES, features & 0xffff_ffffL);
        write(MmioTransport.DRIVER_FEATURES_SEL, 1);
        write(MmioTransport.DRIVER_FEATURES, features >>> 32);
        write(MmioTransport.STATUS, Virtio.ACKNOWLEDGE | Virtio.DRIVER | Virtio.FEATURES_OK);
        if ((read(MmioTransport.STATUS) & Virtio.FEATURES_OK) == 0) {
            return false;
        }
        rx.setup();
        tx.setup();
        for (int i = 0; i < rxBuffers; i++) {
            rx.post(i, RX_BUF, true);
        }
        write(MmioTransport.STATUS, Virtio.ACKNOWLEDGE | Virtio.DRIVER | Virtio.FEATURES_OK | Virtio.DRIVER_OK);
        rx.kick();
        return true;
    }

    /** Sends {@code packet} (vnet header + frame) on TX and kicks. */
    void send(byte[] packet) {
        int head = txSlot++ % SIZE;
        mem.write(tx.buffer(head), packet);
        tx.post(head, packet.length, false);
        tx.kick();
    }

    /** Received packets (vnet header + frame) so far; their buffers go straight back to the device. */
    List<byte[]> receive() {
        List<byte[]> out = new ArrayList<>();
        for (int[] e : rx.takeUsed()) {
            out.add(mem.read(rx.buffer(e[0]), e[1]));
            rx.post(e[0], RX_BUF, true);
        }
        if (!out.isEmpty()) {
            rx.kick();
        }
        return out;
    }
}
