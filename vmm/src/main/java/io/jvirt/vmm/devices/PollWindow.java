package io.jvirt.vmm.devices;

/**
 * How long a thread that is about to sleep until another thread signals it should spin first,
 * learned from how long its sleeps last. Waking a sleeping thread costs the waker a system call
 * and the sleeper a trip through the scheduler (on a virtualized host an IPI, a VM exit), often
 * more than the wait itself when a guest does synchronous I/O; spinning a little first avoids
 * both. The rule is KVM's for a halted vCPU (virt/kvm/kvm_main.c, {@code grow_halt_poll_ns} and
 * {@code shrink_halt_poll_ns}): a wait that ended within the longest window means polling longer
 * would have caught it, so the window doubles (starting at {@link #GROW_START_NANOS}); a wait
 * longer than that halves it, so an idle guest soon costs no spinning at all. Owned by the one
 * thread that waits; not thread-safe.
 */
public interface PollWindow {
    /** The first window after none, as KVM's {@code halt_poll_ns_grow_start} (10 µs). */
    long GROW_START_NANOS = 10_000;

    /**
     * The longest window in nanoseconds, from system property {@code property} in microseconds
     * ({@code defaultMicros} when unset; a negative value means 0, never poll).
     */
    static long maxNanos(String property, int defaultMicros) {
        return 1000L * Math.max(0, Integer.getInteger(property, defaultMicros));
    }

    /** A window that starts at none and adapts up to {@code maxNanos} (0: never poll). */
    static PollWindow upTo(long maxNanos) {
        return new AdaptivePollWindow(maxNanos);
    }

    /** How long to poll before the next sleep. */
    long nanos();

    /** Polling did not catch it: the wait ended {@code nanos} after the poll began. */
    void waited(long nanos);
}
