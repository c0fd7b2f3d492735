package io.jvirt.vmm.accel.tcg;

/**
 * The one time base of the software machine: every clock the guest can see (the TSC, the
 * LAPIC timer's bus clock, the 8254 PIT's input clock) derives from {@link System#nanoTime()},
 * so the guest's calibrations against one another agree (Linux calibrates the TSC against PIT
 * channel 2 and the LAPIC timer against the PIT tick) and time passes at wall-clock speed
 * however slowly instructions execute.
 *
 * <p>The guest TSC itself is the CPU core's ({@code CpuCore.tsc()}, 1 GHz from nanoTime since
 * the core's epoch); the LAPIC reads it through a supplier and converts TSC-deadline deltas with
 * {@link #TSC_HZ}, which is the core's constant.
 */
final class GuestClock {

    /** Guest TSC frequency: the core's (1 GHz, one tick per host nanosecond). */
    static final long TSC_HZ = io.jvirt.vmm.accel.tcg.cpu.CpuCore.TSC_HZ;

    /** LAPIC timer input ("bus clock") before the divide configuration: 1 GHz, as KVM's APIC_BUS_CYCLE_NS = 1. */
    static final long APIC_BUS_HZ = 1_000_000_000L;

    /** 8254 input clock, 1.193182 MHz (14.31818 MHz / 12; Intel 8254 data sheet, PC/AT). */
    static final long PIT_HZ = 1_193_182L;

    private GuestClock() {
    }

    /** Host monotonic nanoseconds: the time every device model reads. */
    static long nanos() {
        return System.nanoTime();
    }


    /** Nanoseconds for {@code ticks} of a clock at {@code hz}, saturating instead of overflowing. */
    static long ticksToNanos(long ticks, long hz) {
        if (ticks <= 0) {
            return 0;
        }
        long whole = ticks / hz;
        long rest = ticks % hz;
        if (whole > Long.MAX_VALUE / 1_000_000_000L / 2) {
            return Long.MAX_VALUE / 2;
        }
        return whole * 1_000_000_000L + rest * 1_000_000_000L / hz;
    }

    /** Whole ticks of a clock at {@code hz} in {@code nanos} (nanos >= 0). */
    static long nanosToTicks(long nanos, long hz) {
        if (nanos <= 0) {
            return 0;
        }
        long whole = nanos / 1_000_000_000L;
        long rest = nanos % 1_000_000_000L;
        return whole * hz + rest * hz / 1_000_000_000L;
    }
}
