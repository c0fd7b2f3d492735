package io.jvirt.vmm.devices.virtio;

import io.jvirt.vmm.memory.GuestMemory;
import java.lang.invoke.VarHandle;

/**
 * One split virtqueue (virtio 1.2 §2.7) once the driver made it ready: the available and used
 * rings, the device's indices into them and notification suppression (§2.7.7, with or without
 * VIRTIO_F_RING_EVENT_IDX). The ring areas are checked to be RAM when the queue is made;
 * descriptor chains are walked by {@link ChainWalker}.
 *
 * <p>Not thread-safe: the transport calls it with its lock held.
 */
final class SplitQueue implements VirtioQueue {
    private final GuestMemory memory;
    private final int index;
    private final int size;
    private final long desc;
    private final long avail;
    private final long used;
    private final boolean eventIdx;
    private final boolean indirect;
    private final LogLimiter warnings;
    private int lastAvail;
    private int usedIdx;
    private int signalledUsed;
    private long malformed;

    private SplitQueue(GuestMemory memory, int index, int size, long desc, long avail, long used, long features,
            LogLimiter warnings) {
        this.warnings = warnings;
        this.memory = memory;
        this.index = index;
        this.size = size;
        this.desc = desc;
        this.avail = avail;
        this.used = used;
        this.eventIdx = Virtio.has(features, Virtio.F_RING_EVENT_IDX);
        this.indirect = Virtio.has(features, Virtio.F_RING_INDIRECT_DESC);
    }

    /**
     * Checks the driver's queue configuration (§2.7: size a power of two; §2.7.2 alignments;
     * every ring area RAM) and makes the queue; its indices start at zero (§2.7.6, §2.7.8).
     * Throws {@link VirtqueueException} naming the bad value.
     */
    static SplitQueue create(GuestMemory memory, int index, int size, int maxSize, long desc, long avail, long used,
            long features, LogLimiter warnings) {
        if (size < 1 || size > maxSize || Integer.bitCount(size) != 1) {
            throw new VirtqueueException("queue " + index + ": size " + size + " is not a power of two in 1.." + maxSize);
        }
        check(memory, index, "descriptor table", desc, 16, (long) Virtio.DESC_SIZE * size);
        check(memory, index, "available ring", avail, 2, 6 + 2L * size);
        check(memory, index, "used ring", used, 4, 6 + 8L * size);
        return new SplitQueue(memory, index, size, desc, avail, used, features, warnings);
    }

    private static void check(GuestMemory memory, int index, String what, long addr, int align, long length) {
        if (addr % align != 0 || memory.backingOffset(addr, length) < 0) {
            throw new VirtqueueException(String.format("queue %d: %s at 0x%x (0x%x bytes, %d-byte aligned) is not aligned RAM",
                    index, what, addr, length, align));
        }
    }

    @Override
    public int index() {
        return index;
    }

    @Override
    public GuestMemory memory() {
        return memory;
    }

    int size() {
        return size;
    }

    /** Chains the queue failed by itself since it was made. */
    long malformed() {
        return malformed;
    }

    private int availIdx() {
        int idx = memory.readShort(avail + 2) & 0xffff;
        VarHandle.acquireFence(); // ring entries are read after the index that published them (§2.7.13.3)
        return idx;
    }

    @Override
    public Request next() {
        while (true) {
            int availIdx = availIdx();
            int pending = (availIdx - lastAvail) & 0xffff;
            if (pending == 0) {
                return null;
            }
            if (pending > size) {
                throw new VirtqueueException(String.format(
                        "queue %d: available index moved from %d to %d, more than the queue size %d", index, lastAvail, availIdx, size));
            }
            int head = memory.readShort(avail + 4 + 2L * (lastAvail & (size - 1))) & 0xffff;
            lastAvail = (lastAvail + 1) & 0xffff;
            if (head >= size) {
                throw new VirtqueueException("queue " + index + ": available ring names head " + head
                        + ", past the queue size " + size);
            }
            switch (ChainWalker.walk(memory, desc, size, head, indirect)) {
                case ChainWalker.Result.Ok ok -> {
                    return ok.request();
                }
                case ChainWalker.Result.Malformed bad -> {
                    malformed++;
                    warnings.warn("virtqueue {0}: failing request: {1}", index, bad.reason());
                    pushUsed(head, 0);
                }
            }
        }
    }

    @Override
    public void complete(Request request, int written) {
        pushUsed(request.head(), written);
    }

    @Override
    public void complete(java.util.List<Request> requests, int[] written) {
        for (int i = 0; i < requests.size(); i++) {
            putUsed(requests.get(i).head(), written[i]);
        }
        publishUsed();
    }

    private void pushUsed(int head, int written) {
        putUsed(head, written);
        publishUsed();
    }

    private void putUsed(int head, int written) {
        long e = used + 4 + 8L * (usedIdx & (size - 1));
        memory.writeInt(e, head);
        memory.writeInt(e + 4, written);
        usedIdx = (usedIdx + 1) & 0xffff;
    }

    private void publishUsed() {
        VarHandle.releaseFence(); // the elements are visible before the index (§2.7.8)
        memory.writeShort(used + 2, (short) usedIdx);
    }

    /**
     * Asks the driver to notify us of new buffers (with EVENT_IDX: avail_event = our index,
     * §2.7.10) and tells whether some arrived meanwhile, so the caller takes them now.
     */
    boolean rearm() {
        if (eventIdx) {
            memory.writeShort(used + 4 + 8L * size, (short) lastAvail);
        }
        VarHandle.fullFence();
        return availIdx() != lastAvail;
    }

    /** Whether the driver wants an interrupt for the buffers used since the last one (§2.7.7). */
    boolean needsInterrupt() {
        VarHandle.fullFence();
        int old = signalledUsed;
        if (old == usedIdx) {
            return false;
        }
        signalledUsed = usedIdx;
        if (eventIdx) {
            int usedEvent = memory.readShort(avail + 4 + 2L * size) & 0xffff;
            return Virtio.needEvent(usedEvent, usedIdx, old);
        }
        return (memory.readShort(avail) & Virtio.VIRTQ_AVAIL_F_NO_INTERRUPT) == 0;
    }
}
