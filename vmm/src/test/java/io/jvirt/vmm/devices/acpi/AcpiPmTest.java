package io.jvirt.vmm.devices.acpi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.vmm.devices.IoBus;
import io.jvirt.vmm.devices.IrqLine;
import io.jvirt.vmm.devices.PowerControl;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The PM block through the port-I/O bus, as ACPICA programs it. */
class AcpiPmTest {
    private final List<String> power = new ArrayList<>();
    private final List<Boolean> sciEdges = new ArrayList<>();
    private boolean sci;
    private IoBus pio;
    private AcpiPm pm;

    @BeforeEach
    void setUp() {
        pio = IoBus.create("pio");
        pm = new AcpiPm(new PowerControl() {
            @Override
            public void powerOff() {
                power.add("off");
            }

            @Override
            public void reset() {
                power.add("reset");
            }
        }, new IrqLine() {
            @Override
            public void set(boolean high) {
                sci = high;
                sciEdges.add(high);
            }
        });
        pm.register(pio);
    }

    @Test
    void sciEnIsSetAtResetAndTheBlockReadsBack() {
        assertEquals(AcpiPm.SCI_EN, pio.read(AcpiPm.PM1A_CNT_BLK, 2));
        assertEquals(0, pio.read(AcpiPm.PM1A_EVT_BLK, 2));
        pio.write(AcpiPm.PM1A_EVT_BLK + 2, 2, 0xffff);
        assertEquals(0x0721, pio.read(AcpiPm.PM1A_EVT_BLK + 2, 2), "only defined enable bits stick");
        assertEquals(0x0721L << 16, pio.read(AcpiPm.PM1A_EVT_BLK, 4), "32-bit read of status+enable");
        assertTrue(pio.claims(AcpiPm.PM_BASE) && pio.claims(AcpiPm.PM_BASE + 15) && !pio.claims(AcpiPm.PM_BASE + 16));
    }

    @Test
    void s5PowersOff() {
        pio.write(AcpiPm.PM1A_CNT_BLK, 2, (AcpiPm.SLP_TYP_S5 << 10) | (1 << 13) | AcpiPm.SCI_EN);
        assertEquals(List.of("off"), power);
        assertEquals(0, pio.read(AcpiPm.PM1A_CNT_BLK, 2) & (1 << 13), "SLP_EN reads as zero");
    }

    @Test
    void s5ByByteWriteOfTheHighHalfPowersOff() {
        pio.write(AcpiPm.PM1A_CNT_BLK + 1, 1, ((AcpiPm.SLP_TYP_S5 << 10) | (1 << 13)) >>> 8);
        assertEquals(List.of("off"), power);
    }

    @Test
    void otherSleepTypesOrNoSlpEnDoNothing() {
        pio.write(AcpiPm.PM1A_CNT_BLK, 2, (AcpiPm.SLP_TYP_S5 << 10) | AcpiPm.SCI_EN); // SLP_EN clear
        pio.write(AcpiPm.PM1A_CNT_BLK, 2, (1 << 10) | (1 << 13) | AcpiPm.SCI_EN);    // S1-ish: unsupported
        assertEquals(List.of(), power);
        assertEquals(1 << 15, pio.read(AcpiPm.PM1A_EVT_BLK, 2) & (1 << 15), "WAK_STS after an ignored sleep");
    }

    @Test
    void resetRegisterResetsOnlyWithTheResetValue() {
        pio.write(AcpiPm.RESET_REG, 1, 0x02);
        assertEquals(List.of(), power);
        pio.write(AcpiPm.RESET_REG, 1, AcpiPm.RESET_VALUE);
        assertEquals(List.of("reset"), power);
    }

    @Test
    void powerButtonRaisesSciOnlyWhenEnabledAndClearsByWritingOne() {
        pm.pressPowerButton();
        assertFalse(sci, "PWRBTN_EN clear: no SCI");
        assertEquals(AcpiPm.PWRBTN_STS, pio.read(AcpiPm.PM1A_EVT_BLK, 2));
        pio.write(AcpiPm.PM1A_EVT_BLK + 2, 2, AcpiPm.PWRBTN_STS);
        assertTrue(sci, "enabling with status pending raises the SCI");
        pio.write(AcpiPm.PM1A_EVT_BLK, 2, 0); // writing zeros clears nothing
        assertTrue(sci);
        pio.write(AcpiPm.PM1A_EVT_BLK, 2, AcpiPm.PWRBTN_STS); // write-1-to-clear
        assertFalse(sci);
        assertEquals(0, pio.read(AcpiPm.PM1A_EVT_BLK, 2));
        pm.pressPowerButton();
        assertTrue(sci);
        pio.write(AcpiPm.PM1A_CNT_BLK, 2, 0); // SCI_EN clear masks the SCI
        assertFalse(sci);
        pio.write(AcpiPm.PM1A_CNT_BLK, 2, AcpiPm.SCI_EN);
        assertTrue(sci);
        assertEquals(List.of(true, false, true, false, true), sciEdges, "level changes only");
        pm.reset();
        assertFalse(sci);
        assertEquals(0, pio.read(AcpiPm.PM1A_EVT_BLK, 4));
    }

    @Test
    void timerFollowsTheClockExactlyAndSetsTmrStsOnBit31Changes() {
        long[] now = {123_456_789L};
        IoBus bus = IoBus.create("pio2");
        new AcpiPm(new PowerControl() {
            @Override
            public void powerOff() {
            }

            @Override
            public void reset() {
            }
        }, high -> { }, () -> now[0]).register(bus);
        assertEquals(0, bus.read(AcpiPm.PM_TMR_BLK, 4));
        now[0] += 1_000_000_000L; // one second
        assertEquals(AcpiPm.PM_TIMER_HZ, bus.read(AcpiPm.PM_TMR_BLK, 4));
        assertEquals(AcpiPm.PM_TIMER_HZ & 0xff, bus.read(AcpiPm.PM_TMR_BLK, 1), "byte access");
        assertEquals(0, bus.read(AcpiPm.PM1A_EVT_BLK, 2) & AcpiPm.TMR_STS);
        now[0] += 600_000_000_000L; // 600 s: 2147727000 ticks, past 2^31
        assertEquals(AcpiPm.TMR_STS, bus.read(AcpiPm.PM1A_EVT_BLK, 2) & AcpiPm.TMR_STS);
        bus.write(AcpiPm.PM1A_EVT_BLK, 2, AcpiPm.TMR_STS);
        assertEquals(0, bus.read(AcpiPm.PM1A_EVT_BLK, 2) & AcpiPm.TMR_STS, "write-1-to-clear");
        now[0] += 600_000_000_000L; // past 2^32: the counter wraps
        long ticks = (1_201L * AcpiPm.PM_TIMER_HZ) & 0xffff_ffffL;
        assertEquals(ticks, bus.read(AcpiPm.PM_TMR_BLK, 4));
        assertEquals(AcpiPm.TMR_STS, bus.read(AcpiPm.PM1A_EVT_BLK, 2) & AcpiPm.TMR_STS);
    }

    @Test
    void pmTimerCountsAt3579545Hz() throws InterruptedException {
        long t0 = pio.read(AcpiPm.PM_TMR_BLK, 4);
        long n0 = System.nanoTime();
        Thread.sleep(50);
        long t1 = pio.read(AcpiPm.PM_TMR_BLK, 4);
        long n1 = System.nanoTime();
        long ticks = (t1 - t0) & 0xffff_ffffL;
        long expected = (n1 - n0) * AcpiPm.PM_TIMER_HZ / 1_000_000_000L;
        assertTrue(Math.abs(ticks - expected) < AcpiPm.PM_TIMER_HZ / 100, ticks + " ticks vs " + expected + " expected");
        pio.write(AcpiPm.PM_TMR_BLK, 4, 0); // read-only: ignored
        assertTrue(((pio.read(AcpiPm.PM_TMR_BLK, 4) - t1) & 0xffff_ffffL) < AcpiPm.PM_TIMER_HZ);
    }
}
