package io.jvirt.vmm.devices.virtio;

import io.jvirt.sys.EventFd;
import java.util.Optional;

/**
 * The I/O thread of one virtio device: a platform thread that waits (epoll) on the device's
 * doorbell eventfd and, under KVM, its irqfd resample eventfd, and does the device's work there,
 * never on a vCPU thread.
 *
 * <ul>
 *   <li>doorbell: under KVM an ioeventfd on QueueNotify (the guest's write never leaves the
 *       kernel); under the software CPU the transport writes it when QueueNotify is written. A
 *       ring runs {@link VirtioMmio#notifyQueues()}.</li>
 *   <li>resample: KVM signals it when the guest ended a level interrupt sent through the irqfd;
 *       it runs {@link VirtioMmio#resample()}.</li>
 * </ul>
 */
public interface VirtioThread extends AutoCloseable {

    /** Starts thread {@code name} serving {@code transport}; the eventfds stay the caller's. */
    static VirtioThread start(String name, VirtioMmio transport, EventFd doorbell, Optional<EventFd> resample) {
        return IoLoop.start(name, transport, doorbell, resample);
    }

    /**
     * Starts thread {@code name} serving {@code transport} rung by {@code doorbell} (the software
     * CPU); it polls for the doorbell's window after each piece of work, then sleeps on its eventfd.
     */
    static VirtioThread start(String name, VirtioMmio transport, GuestDoorbell doorbell) {
        return switch (doorbell) {
            case PolledDoorbell p -> IoLoop.start(name, transport, p);
        };
    }

    /** Doorbell rings the thread has served (rings that came while it was busy count once). */
    long doorbells();

    /** Stops the thread and waits for it; no device work runs afterwards. */
    @Override
    void close();
}
