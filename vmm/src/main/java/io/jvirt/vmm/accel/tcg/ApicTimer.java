package io.jvirt.vmm.accel.tcg;

import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * The local APIC timer (Intel SDM vol. 3A §11.5.4): a 32-bit down-counter at the bus clock
 * ({@link GuestClock#APIC_BUS_HZ}) divided per the divide configuration register, in one-shot
 * or periodic mode, or a comparator on the TSC in TSC-deadline mode (§11.5.4.1,
 * IA32_TSC_DEADLINE MSR 0x6e0). The count is not stored: it is computed from the time the
 * initial count was written, and expiry is a deadline on {@link PlatformTimers}.
 *
 * <p>Not thread-safe: every method runs under the owning {@link LocalApic}'s lock. Expiry
 * calls {@code expired.accept(seq)} on the timer thread; the owner takes its lock and asks
 * {@link #expire(long)} whether that firing is still current.
 */
final class ApicTimer {

    static final int ONE_SHOT = 0;
    static final int PERIODIC = 1;
    static final int TSC_DEADLINE = 2;

    /** Shortest periodic period we honour, so a guest cannot make the timer thread spin (KVM: min_timer_period_us). */
    static final long MIN_PERIOD_NANOS = 100_000;

    private final PlatformTimers timers;
    private final LongSupplier tsc;
    private final LongConsumer expired;

    private int mode = ONE_SHOT;
    private int initialCount;
    private int divideConfig;
    private boolean counting;
    private long start;
    private long tscDeadline;
    private long seq;
    private PlatformTimers.Handle pending;

    ApicTimer(PlatformTimers timers, LongSupplier tsc, LongConsumer expired) {
        this.timers = timers;
        this.tsc = tsc;
        this.expired = expired;
    }

    void reset() {
        disarm();
        mode = ONE_SHOT;
        initialCount = 0;
        divideConfig = 0;
        counting = false;
        tscDeadline = 0;
    }

    /** Divisor for DCR bits 3,1:0 (SDM Figure 11-10): 0b000 -> 2 ... 0b110 -> 128, 0b111 -> 1. */
    static int divisor(int dcr) {
        int v = (dcr & 3) | ((dcr & 8) >> 1);
        return 1 << ((v + 1) & 7);
    }

    int divideConfig() {
        return divideConfig;
    }

    void writeDivideConfig(int value) {
        long now = GuestClock.nanos();
        long remaining = counting ? currentAt(now) : 0;
        divideConfig = value & 0xb;
        if (counting && mode != TSC_DEADLINE) {
            // Keep the current count and continue at the new rate.
            start = now - (long) (Integer.toUnsignedLong(initialCount) - remaining) * divisor(divideConfig);
            arm(nextExpiry(now));
        }
    }

    /** The LVT timer's mode field changed; a change to or from TSC-deadline mode disarms (SDM §11.5.4.1). */
    void setMode(int newMode) {
        if (newMode == mode) {
            return;
        }
        if (newMode == TSC_DEADLINE || mode == TSC_DEADLINE) {
            disarm();
            counting = false;
            initialCount = 0;
            tscDeadline = 0;
        }
        mode = newMode;
        if (counting && mode != TSC_DEADLINE) {
            arm(nextExpiry(GuestClock.nanos()));
        }
    }

    int initialCount() {
        return initialCount;
    }

    void writeInitialCount(int count) {
        if (mode == TSC_DEADLINE) {
            return; // ignored in TSC-deadline mode (SDM §11.5.4.1)
        }
        disarm();
        initialCount = count;
        counting = count != 0;
        if (counting) {
            start = GuestClock.nanos();
            arm(start + periodNanos());
        }
    }

    int currentCount() {
        if (mode == TSC_DEADLINE || !counting) {
            return 0;
        }
        return (int) currentAt(GuestClock.nanos());
    }

    long tscDeadline() {
        return tscDeadline;
    }

    void writeTscDeadline(long deadline) {
        if (mode != TSC_DEADLINE) {
            return; // writes outside TSC-deadline mode are ignored (SDM §11.5.4.1)
        }
        disarm();
        tscDeadline = deadline;
        if (deadline != 0) {
            long delta = deadline - tsc.getAsLong();
            arm(GuestClock.nanos() + GuestClock.ticksToNanos(delta, GuestClock.TSC_HZ));
        }
    }

    /**
     * A firing with sequence {@code firing} arrived: true when it is current and the LVT timer
     * vector should be raised. Re-arms periodic mode.
     */
    boolean expire(long firing) {
        if (firing != seq) {
            return false;
        }
        pending = null;
        switch (mode) {
            case TSC_DEADLINE -> tscDeadline = 0;
            case PERIODIC -> {
                if (counting) {
                    long now = GuestClock.nanos();
                    long period = periodNanos();
                    long periods = Math.max(1, (now - start) / period);
                    start += periods * period;
                    arm(start + period);
                }
            }
            default -> counting = false;
        }
        return true;
    }

    private long periodNanos() {
        long nanos = GuestClock.ticksToNanos(Integer.toUnsignedLong(initialCount) * divisor(divideConfig),
                GuestClock.APIC_BUS_HZ);
        return mode == PERIODIC ? Math.max(nanos, MIN_PERIOD_NANOS) : Math.max(nanos, 1);
    }

    private long currentAt(long now) {
        long init = Integer.toUnsignedLong(initialCount);
        long elapsed = GuestClock.nanosToTicks(now - start, GuestClock.APIC_BUS_HZ) / divisor(divideConfig);
        if (mode == PERIODIC) {
            return init - (elapsed % init);
        }
        return elapsed >= init ? 0 : init - elapsed;
    }

    private long nextExpiry(long now) {
        long period = periodNanos();
        if (mode == PERIODIC) {
            long periods = Math.max(0, (now - start) / period);
            return start + (periods + 1) * period;
        }
        return start + period;
    }

    private void arm(long deadline) {
        disarm();
        long mine = ++seq;
        pending = timers.at(deadline, () -> expired.accept(mine));
    }

    private void disarm() {
        seq++;
        if (pending != null) {
            pending.cancel();
            pending = null;
        }
    }
}
