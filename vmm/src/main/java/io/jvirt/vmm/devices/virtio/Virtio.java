package io.jvirt.vmm.devices.virtio;

/** Constants of the virtio 1.2 specification shared by the transport and the queues. */
final class Virtio {
    private Virtio() {
    }

    // Device status bits, §2.1.
    static final int ACKNOWLEDGE = 1;
    static final int DRIVER = 2;
    static final int DRIVER_OK = 4;
    static final int FEATURES_OK = 8;
    static final int DEVICE_NEEDS_RESET = 64;
    static final int FAILED = 128;

    // Reserved feature bits, §6.
    static final int F_RING_INDIRECT_DESC = 28;
    static final int F_RING_EVENT_IDX = 29;
    static final int F_VERSION_1 = 32;

    /** Transport feature bits every device offers: VERSION_1, indirect descriptors, event index. */
    static final long TRANSPORT_FEATURES = (1L << F_VERSION_1) | (1L << F_RING_INDIRECT_DESC) | (1L << F_RING_EVENT_IDX);

    // Split virtqueue descriptor flags, §2.7.5.
    static final int VIRTQ_DESC_F_NEXT = 1;
    static final int VIRTQ_DESC_F_WRITE = 2;
    static final int VIRTQ_DESC_F_INDIRECT = 4;
    /** Bytes of one struct virtq_desc (§2.7.5): addr le64, len le32, flags le16, next le16. */
    static final int DESC_SIZE = 16;
    /** virtq_avail.flags: the driver wants no used-buffer interrupts (§2.7.7). */
    static final int VIRTQ_AVAIL_F_NO_INTERRUPT = 1;
    /** Largest queue size (§2.7: "The maximum Queue Size value is 32768"). */
    static final int MAX_QUEUE_SIZE = 32768;

    static boolean has(long features, int bit) {
        return (features & (1L << bit)) != 0;
    }

    /** vring_need_event of §2.7.7.2 (the Linux virtio_ring.h formula), on 16-bit indices. */
    static boolean needEvent(int event, int newIdx, int oldIdx) {
        return ((newIdx - event - 1) & 0xffff) < ((newIdx - oldIdx) & 0xffff);
    }
}
