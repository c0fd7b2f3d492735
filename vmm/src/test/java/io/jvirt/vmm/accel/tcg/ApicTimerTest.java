package io.jvirt.vmm.accel.tcg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The LAPIC timer in its three modes, against the real clock the guest sees. */
class ApicTimerTest {

    private static final int VECTOR = 0xec;

    /** Waits until the APIC has an interrupt or {@code millis} pass; returns elapsed nanos or -1. */
    private static long awaitInterrupt(ApicFixture f, long start, long millis) {
        long deadline = start + millis * 1_000_000;
        Doorbell bell = f.bells.get(0);
        while (System.nanoTime() < deadline) {
            long seen = bell.generation();
            if (f.apic(0).hasInterrupt()) {
                return System.nanoTime() - start;
            }
            bell.await(seen, deadline - System.nanoTime());
        }
        return f.apic(0).hasInterrupt() ? System.nanoTime() - start : -1;
    }

    @Test
    void divisorEncoding() {
        assertEquals(2, ApicTimer.divisor(0b0000));
        assertEquals(16, ApicTimer.divisor(0b0011));
        assertEquals(128, ApicTimer.divisor(0b1010));
        assertEquals(1, ApicTimer.divisor(0b1011));
    }

    @Test
    void oneShotFiresOnceAfterInitialCountTimesDivisor() {
        try (ApicFixture f = new ApicFixture(1).enableAll()) {
            f.write(0, ApicRegisters.DIVIDE_CONFIG, 0b1011); // divide by 1: 1 ns per count
            f.write(0, ApicRegisters.LVT_TIMER_REG, VECTOR); // one-shot, unmasked
            long start = System.nanoTime();
            f.write(0, ApicRegisters.INITIAL_COUNT, 30_000_000); // 30 ms
            int c1 = f.read(0, ApicRegisters.CURRENT_COUNT);
            if (System.nanoTime() - start < 29_000_000) { // not preempted past the expiry
                assertTrue(c1 > 0 && c1 <= 30_000_000, "counting down: " + c1);
            }
            long took = awaitInterrupt(f, start, 2000);
            assertTrue(took >= 29_000_000, "fired after " + took + " ns, not before 30 ms");
            assertTrue(took < 1_000_000_000, "fired after " + took + " ns");
            assertEquals(0, f.read(0, ApicRegisters.CURRENT_COUNT), "one-shot stops at 0");
            assertEquals(VECTOR, f.apic(0).acknowledge());
            f.write(0, ApicRegisters.EOI, 0);
            assertEquals(-1, awaitInterrupt(f, System.nanoTime(), 100), "one-shot fires once");
        }
    }

    @Test
    void periodicFiresRepeatedlyAndMaskedDoesNot() {
        try (ApicFixture f = new ApicFixture(1).enableAll()) {
            f.write(0, ApicRegisters.DIVIDE_CONFIG, 0b0000); // divide by 2
            f.write(0, ApicRegisters.LVT_TIMER_REG, (1 << 17) | VECTOR); // periodic
            f.write(0, ApicRegisters.INITIAL_COUNT, 5_000_000); // 10 ms
            long start = System.nanoTime();
            int taken = 0;
            while (System.nanoTime() - start < 200_000_000L) {
                if (awaitInterrupt(f, System.nanoTime(), 50) >= 0) {
                    assertEquals(VECTOR, f.apic(0).acknowledge());
                    f.write(0, ApicRegisters.EOI, 0);
                    taken++;
                }
            }
            assertTrue(taken >= 5 && taken <= 21, "about 20 ticks of 10 ms in 200 ms, got " + taken);
            int c = f.read(0, ApicRegisters.CURRENT_COUNT);
            assertTrue(c > 0 && c <= 5_000_000, "periodic count reloads: " + c);
            f.write(0, ApicRegisters.LVT_TIMER_REG, ApicRegisters.LVT_MASKED | (1 << 17) | VECTOR);
            if (f.apic(0).acknowledge() >= 0) { // fired between the last INTA and the mask
                f.write(0, ApicRegisters.EOI, 0);
            }
            assertEquals(-1, awaitInterrupt(f, System.nanoTime(), 60), "masked: no interrupt");
        }
    }

    @Test
    void tscDeadlineFiresAtTheDeadlineAndIgnoresInitialCount() {
        try (ApicFixture f = new ApicFixture(1).enableAll()) {
            LocalApic a = f.apic(0);
            a.writeMsr(LocalApic.MSR_TSC_DEADLINE, io.jvirt.vmm.accel.tcg.cpu.CpuCore.tsc() + 1_000_000); // not in deadline mode: ignored
            assertEquals(0, a.readMsr(LocalApic.MSR_TSC_DEADLINE));
            f.write(0, ApicRegisters.LVT_TIMER_REG, (2 << 17) | VECTOR);
            f.write(0, ApicRegisters.INITIAL_COUNT, 1000);
            assertEquals(0, f.read(0, ApicRegisters.INITIAL_COUNT), "initial count ignored in TSC-deadline mode");
            long start = System.nanoTime();
            long deadline = io.jvirt.vmm.accel.tcg.cpu.CpuCore.tsc() + 20 * GuestClock.TSC_HZ / 1000; // 20 ms
            a.writeMsr(LocalApic.MSR_TSC_DEADLINE, deadline);
            assertEquals(deadline, a.readMsr(LocalApic.MSR_TSC_DEADLINE));
            long took = awaitInterrupt(f, start, 2000);
            assertTrue(took >= 19_000_000 && took < 1_000_000_000, "fired after " + took + " ns");
            assertTrue(io.jvirt.vmm.accel.tcg.cpu.CpuCore.tsc() >= deadline);
            assertEquals(0, a.readMsr(LocalApic.MSR_TSC_DEADLINE), "the MSR clears when it fires");
            assertEquals(VECTOR, a.acknowledge());
            f.write(0, ApicRegisters.EOI, 0);

            a.writeMsr(LocalApic.MSR_TSC_DEADLINE, io.jvirt.vmm.accel.tcg.cpu.CpuCore.tsc() + 50_000_000);
            a.writeMsr(LocalApic.MSR_TSC_DEADLINE, 0); // disarm
            assertEquals(-1, awaitInterrupt(f, System.nanoTime(), 100));
            a.writeMsr(LocalApic.MSR_TSC_DEADLINE, 1); // in the past: at once
            assertTrue(awaitInterrupt(f, System.nanoTime(), 500) >= 0);
            assertFalse(a.takeNmi());
        }
    }
}
