package io.jvirt.vmm.devices.virtio;

import io.jvirt.sys.EventFd;
import io.jvirt.vmm.devices.PollWindow;

/**
 * The doorbell of a device whose QueueNotify writes the VMM sees itself (the software CPU has
 * no kernel to turn the write into an ioeventfd): the vCPU thread {@linkplain #ring() rings}
 * it, the device's I/O thread ({@link VirtioThread#start(String, VirtioMmio, GuestDoorbell)})
 * hears it.
 *
 * <p>After each piece of work the I/O thread polls for a while before it sleeps, the way
 * QEMU's iothreads poll their queues ({@code poll-max-ns}) and KVM polls a halted vCPU
 * ({@code halt_poll_ns}): a guest doing synchronous I/O sends its next request soon after the
 * last completion. While it polls, a ring is a volatile store; only a ring that finds the
 * thread asleep writes the eventfd it sleeps on. That write wakes a thread on another CPU,
 * which on a virtualized host (an IPI is a VM exit there) cost the vCPU thread 8% of its time
 * in a random-read run, for nothing the guest did.
 */
public sealed interface GuestDoorbell permits PolledDoorbell {

    /**
     * The longest poll window, {@code -Djvirt.virtio.pollMicros} (default {@value PolledDoorbell#DEFAULT_POLL_MICROS} µs;
     * 0 = sleep at once, every ring writes the eventfd).
     */
    static long maxPollNanos() {
        return PollWindow.maxNanos("jvirt.virtio.pollMicros", PolledDoorbell.DEFAULT_POLL_MICROS);
    }

    /** A doorbell that writes {@code sleepOn} when its thread sleeps, polling up to {@code maxPollNanos} first. */
    static GuestDoorbell over(EventFd sleepOn, long maxPollNanos) {
        return new PolledDoorbell(sleepOn, maxPollNanos);
    }

    /** The guest wrote QueueNotify: the I/O thread will look at the queues (cheap; any thread). */
    void ring();
}
