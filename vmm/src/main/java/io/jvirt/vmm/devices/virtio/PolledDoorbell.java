package io.jvirt.vmm.devices.virtio;

import io.jvirt.sys.EventFd;
import io.jvirt.vmm.devices.PollWindow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link GuestDoorbell}: a rung flag and a sleeping flag, checked in opposite orders by the two
 * sides (the ringer sets rung, then reads sleeping; the I/O thread sets sleeping, then reads
 * rung), so that with volatile (sequentially consistent) accesses at least one side sees the
 * other and no ring is lost; a ring that sees a sleeper also writes the eventfd. How long the
 * thread polls is a {@link PollWindow}.
 */
final class PolledDoorbell implements GuestDoorbell {
    static final int DEFAULT_POLL_MICROS = 500;

    private final EventFd sleepOn;
    private final PollWindow window; // the I/O thread's own
    private final AtomicBoolean rung = new AtomicBoolean();
    private final AtomicLong wakes = new AtomicLong();
    private volatile boolean sleeping;

    PolledDoorbell(EventFd sleepOn, long maxPollNanos) {
        this.sleepOn = sleepOn;
        this.window = PollWindow.upTo(maxPollNanos);
    }

    @Override
    public void ring() {
        rung.set(true);
        if (sleeping) {
            wakes.incrementAndGet();
            sleepOn.write(1);
        }
    }

    /** Rings that found the thread asleep and wrote the eventfd. */
    long wakes() {
        return wakes.get();
    }

    EventFd eventFd() {
        return sleepOn;
    }

    /** How long the I/O thread polls (its own). */
    PollWindow window() {
        return window;
    }

    /** Consumes a ring: true when there was one since the last call (the caller then serves the queues). */
    boolean take() {
        return rung.get() && rung.getAndSet(false);
    }

    /**
     * About to sleep on the eventfd: returns false (and stays awake) when a ring came first; else
     * every later ring writes the eventfd until {@link #awake()}.
     */
    boolean sleep() {
        sleeping = true;
        if (rung.get()) {
            sleeping = false;
            return false;
        }
        return true;
    }

    void awake() {
        sleeping = false;
    }
}
