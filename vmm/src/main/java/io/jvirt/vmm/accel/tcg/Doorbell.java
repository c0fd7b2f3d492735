package io.jvirt.vmm.accel.tcg;

import io.jvirt.vmm.devices.PollWindow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How anything that concerns a vCPU (an interrupt, an NMI, INIT/SIPI, a kick) reaches its
 * thread: a generation counter the vCPU samples before a run slice and a condition it waits on
 * while the CPU is halted. Under KVM the kernel does this with its vCPU wait queue and a
 * signal; here {@link #ring()} bumps the counter and signals, and {@link #ringUrgent()} also
 * ends the current run slice (needed for INIT/SIPI and kicks, which the vCPU thread handles
 * between slices). Never calls out while holding its lock, so any other lock may be held when
 * ringing.
 */
final class Doorbell {
    /**
     * The longest a halted vCPU spins before it sleeps, {@code -Djvirt.tcg.haltPollMicros}
     * (default 200 µs, KVM's {@code halt_poll_ns} default): a guest waiting for its disk's
     * completion gets it without a trip through the host's scheduler.
     */
    static final long HALT_POLL_NANOS = PollWindow.maxNanos("jvirt.tcg.haltPollMicros", 200);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile long generation;
    private final PollWindow haltPoll = PollWindow.upTo(HALT_POLL_NANOS); // the vCPU thread's
    private volatile Runnable stopCpu = () -> { };

    /** The CPU's {@code requestStop}, set once the CPU exists (it is created after its APIC). */
    void onUrgent(Runnable stop) {
        stopCpu = stop;
    }

    long generation() {
        return generation;
    }

    /** Something the vCPU may act on arrived: wakes it if it waits. */
    void ring() {
        lock.lock();
        try {
            generation++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Like {@link #ring()}, and makes the current run slice end soon. */
    void ringUrgent() {
        ring();
        stopCpu.run();
    }

    /**
     * Waits until the generation differs from {@code seen} or {@code timeoutNanos} pass, spinning
     * for the halt-poll window first (vCPU thread). Returns at once when it already differs.
     */
    void await(long seen, long timeoutNanos) {
        long start = System.nanoTime();
        long poll = haltPoll.nanos();
        while (generation == seen) {
            if (System.nanoTime() - start >= poll) {
                sleep(seen, timeoutNanos);
                haltPoll.waited(System.nanoTime() - start);
                return;
            }
            Thread.onSpinWait();
        }
    }

    private void sleep(long seen, long timeoutNanos) {
        lock.lock();
        try {
            long left = timeoutNanos;
            while (generation == seen && left > 0) {
                left = changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    static long millis(long ms) {
        return TimeUnit.MILLISECONDS.toNanos(ms);
    }
}
