package io.jvirt.vmm.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class CmosRtcTest {

    /** 2026-11-22 17:05:09 UTC, a Sunday. */
    private static final Instant T = Instant.parse("2026-11-22T17:05:09Z");

    private final MutableClock clock = new MutableClock(T);
    private final IoBus pio = IoBus.create("pio");

    CmosRtcTest() {
        new CmosRtc(clock, 3L << 30, 2L << 30, high -> { }).register(pio);
    }

    private int reg(int r) {
        pio.write(0x70, 1, r);
        return (int) pio.read(0x71, 1);
    }

    private void set(int r, int v) {
        pio.write(0x70, 1, r);
        pio.write(0x71, 1, v);
    }

    @Test
    void defaultIsBcdTwentyFourHour() {
        assertEquals(0x09, reg(0x00));
        assertEquals(0x05, reg(0x02));
        assertEquals(0x17, reg(0x04));
        assertEquals(0x01, reg(0x06), "Sunday is 1");
        assertEquals(0x22, reg(0x07));
        assertEquals(0x11, reg(0x08));
        assertEquals(0x26, reg(0x09));
        assertEquals(0x20, reg(0x32), "century");
        assertEquals(0x26, reg(0x0a));
        assertEquals(0x02, reg(0x0b));
        assertEquals(0x80, reg(0x0d), "VRT: valid RAM and time");
    }

    @Test
    void binaryAndTwelveHourFormatsPerRegisterB() {
        set(0x0b, 0x04); // binary, 12-hour
        assertEquals(9, reg(0x00));
        assertEquals(0x80 | 5, reg(0x04), "5 PM: PM bit and binary 5");
        set(0x0b, 0x00); // BCD, 12-hour
        assertEquals(0x85, reg(0x04));
        clock.now = Instant.parse("2026-11-22T00:30:00Z");
        assertEquals(0x12, reg(0x04), "midnight is 12 AM");
        set(0x0b, 0x06); // binary, 24-hour
        assertEquals(0, reg(0x04));
    }

    @Test
    void settingTheClockUnderSetMovesGuestTimeOnly() {
        set(0x0b, 0x82); // SET, BCD, 24h
        set(0x04, 0x08);
        set(0x02, 0x30);
        clock.now = T.plusSeconds(5); // frozen while SET
        assertEquals(0x09, reg(0x00));
        set(0x0b, 0x02);
        assertEquals(0x08, reg(0x04));
        assertEquals(0x30, reg(0x02));
        clock.now = T.plusSeconds(65);
        assertEquals(0x31, reg(0x02), "the set clock keeps running");
    }

    @Test
    void updateInProgressInTheLastMicrosecondsOfASecond() {
        clock.now = T.plusNanos(999_900_000L);
        assertTrue((reg(0x0a) & 0x80) != 0);
        clock.now = T.plusNanos(500_000_000L);
        assertFalse((reg(0x0a) & 0x80) != 0);
        assertEquals(0x26, reg(0x0a) & 0x7f);
    }

    @Test
    void registerCReportsEndedUpdatesAndClearsOnRead() {
        clock.now = T.plusSeconds(2);
        assertEquals(0x10, reg(0x0c));
        assertEquals(0x00, reg(0x0c));
    }

    @Test
    void memorySizeBytes() {
        assertEquals(640, reg(0x15) | reg(0x16) << 8);
        assertEquals(0xfc00, reg(0x17) | reg(0x18) << 8, "extended memory capped at 63 MiB");
        assertEquals(0xfc00, reg(0x30) | reg(0x31) << 8);
        assertEquals(((3L << 30) - (16L << 20)) >> 16, reg(0x34) | reg(0x35) << 8);
        assertEquals((2L << 30) >> 16, reg(0x5b) | reg(0x5c) << 8 | reg(0x5d) << 16);
    }

    @Test
    void nvramIsReadWriteAndIndexIgnoresNmiBit() {
        set(0x80 | 0x40, 0x77);
        assertEquals(0x77, reg(0x40));
    }

    @Test
    void hostileWritesNeverThrow() {
        for (int r = 0; r < 256; r++) {
            for (int v : new int[] {0, 0x99, 0xff, 0x7f, 0x3f}) {
                set(r, v);
                set(0x0b, v);
                reg(r);
            }
        }
    }

    @Test
    void updateAndPeriodicInterruptsRaiseIrq8UntilRegisterCIsRead() throws Exception {
        RecordingIrq irq = new RecordingIrq();
        IoBus bus = IoBus.create("pio");
        try (CmosRtc rtc = new CmosRtc(Clock.systemUTC(), 64L << 20, 0, irq)) {
            rtc.register(bus);
            bus.write(0x70, 1, 0x0b);
            bus.write(0x71, 1, 0x02 | 0x10); // UIE
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (!irq.level && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(irq.level, "update-ended interrupt within a second");
            bus.write(0x70, 1, 0x0c);
            int c = (int) bus.read(0x71, 1);
            assertEquals(0x90, c & 0xf0, "IRQF and UF");
            assertFalse(irq.level, "reading C releases IRQ 8");

            bus.write(0x70, 1, 0x0a);
            bus.write(0x71, 1, 0x2f); // rate 15: 2 Hz
            bus.write(0x70, 1, 0x0b);
            bus.write(0x71, 1, 0x02 | 0x40); // PIE only
            deadline = System.nanoTime() + 3_000_000_000L;
            int edges = 0;
            while (edges < 2 && System.nanoTime() < deadline) {
                if (irq.level) {
                    edges++;
                    bus.write(0x70, 1, 0x0c);
                    assertEquals(0xc0, (int) bus.read(0x71, 1) & 0xc0, "IRQF and PF");
                }
                Thread.sleep(5);
            }
            assertEquals(2, edges, "two periodic interrupts at 2 Hz within 3 s");

            bus.write(0x70, 1, 0x0b);
            bus.write(0x71, 1, 0x82 | 0x40); // SET stops updates and interrupts
            bus.write(0x70, 1, 0x0c);
            bus.read(0x71, 1);
            Thread.sleep(700);
            assertFalse(irq.level);
        }
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            assertFalse(t.getName().equals("rtc-timer") && t.isAlive(), "timer thread ended");
        }
    }

    @Test
    void alarmFiresWhenTimeMatchesWithDontCareFields() throws Exception {
        RecordingIrq irq = new RecordingIrq();
        IoBus bus = IoBus.create("pio");
        try (CmosRtc rtc = new CmosRtc(Clock.systemUTC(), 64L << 20, 0, irq)) {
            rtc.register(bus);
            for (int reg : new int[] {0x01, 0x03, 0x05}) {
                bus.write(0x70, 1, reg);
                bus.write(0x71, 1, 0xff); // don't care: every second matches
            }
            bus.write(0x70, 1, 0x0b);
            bus.write(0x71, 1, 0x02 | 0x20); // AIE
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (!irq.level && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(irq.level);
            bus.write(0x70, 1, 0x0c);
            assertEquals(0xa0, (int) bus.read(0x71, 1) & 0xe0, "IRQF and AF");
        }
    }

    private static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }
}
