package io.jvirt.vmm.devices.virtio;

import io.jvirt.vmm.memory.GuestMemory;

/**
 * A device's view of one virtqueue: take the next request, complete it. The queue walks and
 * checks descriptor chains ({@link Request} holds only RAM ranges), completes malformed ones
 * with zero length by itself, and decides when the driver gets an interrupt.
 */
public interface VirtioQueue {

    /** The queue's index on its device. */
    int index();

    /** Guest memory the requests' buffers are in. */
    GuestMemory memory();

    /**
     * The next available request, or null when the driver has made none.
     *
     * @throws VirtqueueException when the rings themselves are corrupt (an available index
     *     jumping by more than the queue size, a head index past the table); the transport then
     *     marks the device DEVICE_NEEDS_RESET
     */
    Request next();

    /** Returns {@code request} to the driver through the used ring, {@code written} bytes filled. */
    void complete(Request request, int written);

    /**
     * Returns several requests at once ({@code written[i]} bytes filled in {@code requests[i]}):
     * the driver sees all of their used-ring entries together, never some of them (what a
     * frame spread over mergeable receive buffers needs, virtio 1.2 §5.1.6.4.2).
     */
    void complete(java.util.List<Request> requests, int[] written);
}
