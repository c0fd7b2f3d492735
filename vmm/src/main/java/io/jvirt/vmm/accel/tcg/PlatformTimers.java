package io.jvirt.vmm.accel.tcg;

import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The machine's one timer facility: a single platform thread that fires the PIT and LAPIC
 * timers at their deadlines ({@link GuestClock#nanos()} time). A firing timer raises an
 * interrupt, which wakes the halted vCPU it targets; vCPU threads never poll for time.
 *
 * <p>Under KVM the kernel does this with hrtimers; here it is one thread per VM.
 */
final class PlatformTimers implements AutoCloseable {

    /** A scheduled callback; {@link #cancel()} is idempotent and safe from any thread. */
    interface Handle {
        void cancel();
    }

    private static final Handle NONE = () -> { };

    private final ScheduledThreadPoolExecutor executor;

    PlatformTimers(String name) {
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = Thread.ofPlatform().daemon().name(name).unstarted(r);
            t.setPriority(Thread.MAX_PRIORITY);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** Runs {@code task} on the timer thread at {@code deadline} ({@link GuestClock#nanos()}), or soon if past. */
    Handle at(long deadline, Runnable task) {
        if (executor.isShutdown()) {
            return NONE;
        }
        long delay = Math.max(0, deadline - GuestClock.nanos());
        try {
            Future<?> f = executor.schedule(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    System.getLogger(PlatformTimers.class.getName())
                            .log(System.Logger.Level.ERROR, "tcg timer callback failed", e);
                }
            }, delay, TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            return NONE;
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
