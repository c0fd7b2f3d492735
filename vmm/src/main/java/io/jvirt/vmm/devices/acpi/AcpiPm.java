package io.jvirt.vmm.devices.acpi;

import io.jvirt.vmm.devices.BusDevice;
import io.jvirt.vmm.devices.IoBus;
import io.jvirt.vmm.devices.IrqLine;
import io.jvirt.vmm.devices.PowerControl;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The ACPI fixed-hardware power-management block (ACPI 6.5 §4.8): the PM1a event block
 * (status + enable), the PM1a control block (SCI_EN, SLP_TYP/SLP_EN), the 32-bit PM timer and
 * the FADT reset register, all in one 16-port window of port I/O. The firmware tables
 * ({@code io.jvirt.vmm.arch.x86_64.firmware}) announce exactly these ports through the FADT.
 *
 * <p>Port layout follows the ICH9 PMBASE block QEMU's q35 machine puts at 0x600 (QEMU
 * include/hw/southbridge/ich9.h: PM1_STS +0x00, PM1_EN +0x02, PM1_CNT +0x04, PM1_TMR +0x08);
 * the reset register sits at the otherwise unused +0x0c.
 *
 * <p>The power button is the fixed-feature button (FADT flag PWR_BUTTON clear):
 * {@link #pressPowerButton()} sets PWRBTN_STS, and the SCI (level, active high) is asserted
 * while SCI_EN is set and any enabled status bit is set. Writing SLP_EN with SLP_TYP =
 * {@link #SLP_TYP_S5} (the value of the DSDT's {@code \_S5} package) powers the machine off;
 * writing {@link #RESET_VALUE} to the reset register resets it.
 *
 * <p>Thread-safe: registers are accessed from vCPU threads, the button from the VMM.
 */
public final class AcpiPm {

    /** Base of the PM I/O block; QEMU q35 ICH9 PMBASE (hw/i386/pc_q35.c, ich9.h ICH9_PMIO_*). */
    public static final int PM_BASE = 0x600;
    /** Ports claimed by {@link #register(IoBus)}. */
    public static final int PM_BLOCK_LENGTH = 0x10;
    /** PM1a_EVT_BLK: PM1_STS (2 bytes) then PM1_EN (2 bytes); ACPI 6.5 §4.8.3.1. */
    public static final int PM1A_EVT_BLK = PM_BASE;
    public static final int PM1_EVT_LEN = 4;
    /** PM1a_CNT_BLK: PM1_CNT, 2 bytes; ACPI 6.5 §4.8.3.2. */
    public static final int PM1A_CNT_BLK = PM_BASE + 0x04;
    public static final int PM1_CNT_LEN = 2;
    /** PM_TMR_BLK: 32-bit free-running 3.579545 MHz counter; ACPI 6.5 §4.8.3.3. */
    public static final int PM_TMR_BLK = PM_BASE + 0x08;
    public static final int PM_TMR_LEN = 4;
    /** FADT RESET_REG: one byte of system I/O; ACPI 6.5 §4.8.3.6. */
    public static final int RESET_REG = PM_BASE + 0x0c;
    /** FADT RESET_VALUE; 0x06 is what the 0xcf9 reset control takes for a full reset (ICH9 RST_CNT). */
    public static final int RESET_VALUE = 0x06;
    /** SLP_TYP for S5 (soft off); ICH9 datasheet PM1_CNT SLP_TYP 111b = S5. The DSDT's \_S5 says so. */
    public static final int SLP_TYP_S5 = 7;
    /** The SCI's GSI: IRQ 9, level, active high (QEMU's MADT override; ACPI 6.5 §5.2.9 SCI_INT). */
    public static final int SCI_GSI = 9;
    /** PM timer frequency in Hz; ACPI 6.5 §4.8.3.3. */
    public static final long PM_TIMER_HZ = 3_579_545L;

    // PM1_STS / PM1_EN bits, ACPI 6.5 Tables 4.16 and 4.17.
    static final int TMR_STS = 1 << 0;
    static final int GBL_STS = 1 << 5;
    static final int PWRBTN_STS = 1 << 8;
    static final int SLPBTN_STS = 1 << 9;
    static final int RTC_STS = 1 << 10;
    static final int WAK_STS = 1 << 15;
    /** Enable bits the guest may set (TMR_EN, GBL_EN, PWRBTN_EN, SLPBTN_EN, RTC_EN). */
    static final int EN_WRITABLE = TMR_STS | GBL_STS | PWRBTN_STS | SLPBTN_STS | RTC_STS;
    // PM1_CNT bits, ACPI 6.5 Table 4.18.
    static final int SCI_EN = 1 << 0;
    static final int SLP_TYP_SHIFT = 10;
    static final int SLP_TYP_MASK = 7 << SLP_TYP_SHIFT;
    static final int SLP_EN = 1 << 13;
    /** PM1_CNT bits that hold what was written (SCI_EN, BM_RLD, SLP_TYP); SLP_EN and GBL_RLS read 0. */
    static final int CNT_STORED = SCI_EN | (1 << 1) | SLP_TYP_MASK;

    private static final System.Logger LOG = System.getLogger(AcpiPm.class.getName());

    private final PowerControl power;
    private final IrqLine sci;
    private final LongSupplier nanoClock;
    private final long timerEpoch;
    private int status;
    private int enable;
    private int control;
    private boolean sciLevel;
    /** Carries out of timer bit 31 already reflected in TMR_STS. */
    private long timerCarries;

    public AcpiPm(PowerControl power, IrqLine sci) {
        this(power, sci, System::nanoTime);
    }

    /** With the PM timer driven by {@code nanoClock} (a monotonic nanosecond clock) instead of System.nanoTime. */
    AcpiPm(PowerControl power, IrqLine sci, LongSupplier nanoClock) {
        this.power = Objects.requireNonNull(power, "power");
        this.sci = Objects.requireNonNull(sci, "sci");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.timerEpoch = nanoClock.getAsLong();
        reset();
    }

    /** Claims ports [{@link #PM_BASE}, {@link #PM_BASE} + {@link #PM_BLOCK_LENGTH}) on {@code pio}. */
    public void register(IoBus pio) {
        pio.register(PM_BASE, PM_BLOCK_LENGTH, new Registers());
    }

    /** A press of the fixed-feature power button: sets PWRBTN_STS and raises the SCI if enabled. */
    public synchronized void pressPowerButton() {
        status |= PWRBTN_STS;
        updateSci();
    }

    /**
     * Machine reset: status and enables cleared, SCI_EN set (the platform is always in ACPI
     * mode: the FADT has no SMI_CMD port, ACPI 6.5 §5.2.9), the SCI deasserted.
     */
    public synchronized void reset() {
        status = 0;
        enable = 0;
        control = SCI_EN;
        timerCarries = ticks() >>> 31;
        updateSci();
    }

    /** The PM timer now: 3.579545 MHz ticks since this device was made, modulo 2^32. */
    long timer() {
        return ticks() & 0xffff_ffffL;
    }

    private long ticks() {
        long ns = nanoClock.getAsLong() - timerEpoch;
        return (ns / 1_000_000_000L) * PM_TIMER_HZ + (ns % 1_000_000_000L) * PM_TIMER_HZ / 1_000_000_000L;
    }

    /**
     * TMR_STS is set whenever bit 31 of the timer changes (ACPI 6.5 §4.8.3.3); evaluated when
     * the guest looks at PM1_STS. The timer-overflow SCI (TMR_EN) is not generated: no OS we
     * run enables it, and it would need a host timer.
     */
    private void updateTimerStatus() {
        long carries = ticks() >>> 31;
        if (carries != timerCarries) {
            timerCarries = carries;
            status |= TMR_STS;
        }
    }

    private void updateSci() {
        boolean level = (control & SCI_EN) != 0 && (status & enable) != 0;
        if (level != sciLevel) {
            sciLevel = level;
            sci.set(level);
        }
    }

    private synchronized long read(long offset, int size) {
        if (offset < 2) {
            updateTimerStatus();
        }
        long timer = offset + size > PM_TMR_BLK - PM_BASE && offset < PM_TMR_BLK - PM_BASE + PM_TMR_LEN ? timer() : 0;
        long value = 0;
        for (int i = 0; i < size; i++) {
            value |= (long) readByte(offset + i, timer) << (8 * i);
        }
        return value;
    }

    private int readByte(long port, long timer) {
        int p = (int) port;
        return switch (p) {
            case 0, 1 -> status >>> (8 * p);
            case 2, 3 -> enable >>> (8 * (p - 2));
            case 4, 5 -> control >>> (8 * (p - 4));
            case 8, 9, 10, 11 -> (int) (timer >>> (8 * (p - 8)));
            default -> 0; // reserved ports and the write-only reset register read as zero
        } & 0xff;
    }

    private synchronized void write(long offset, int size, long value) {
        int stsClear = 0;
        int enBits = enable;
        int cnt = control;
        boolean cntWritten = false;
        boolean resetWritten = false;
        int resetValue = 0;
        for (int i = 0; i < size; i++) {
            long port = offset + i;
            int b = (int) (value >>> (8 * i)) & 0xff;
            switch ((int) port) {
                case 0, 1 -> stsClear |= b << (8 * port); // write-1-to-clear, ACPI 6.5 §4.8.3.1
                case 2, 3 -> enBits = (enBits & ~(0xff << (8 * (port - 2)))) | (b << (8 * (port - 2)));
                case 4, 5 -> {
                    cnt = (cnt & ~(0xff << (8 * (port - 4)))) | (b << (8 * (port - 4)));
                    cntWritten = true;
                }
                case 12 -> {
                    resetWritten = true;
                    resetValue = b;
                }
                default -> { } // the timer is read-only; reserved ports ignore writes
            }
        }
        status &= ~stsClear;
        enable = enBits & EN_WRITABLE;
        if (cntWritten) {
            control = cnt & CNT_STORED;
            if ((cnt & SLP_EN) != 0) {
                sleep((cnt & SLP_TYP_MASK) >>> SLP_TYP_SHIFT);
            }
        }
        updateSci();
        if (resetWritten) {
            if (resetValue == RESET_VALUE) {
                LOG.log(System.Logger.Level.INFO, "ACPI reset register written: resetting the machine");
                power.reset();
            } else {
                LOG.log(System.Logger.Level.DEBUG, "ACPI reset register: ignored value 0x{0}", Integer.toHexString(resetValue));
            }
        }
    }

    private void sleep(int slpTyp) {
        if (slpTyp == SLP_TYP_S5) {
            LOG.log(System.Logger.Level.INFO, "ACPI PM1a_CNT: S5 requested, powering off");
            power.powerOff();
        } else {
            // Only \_S5 is in the DSDT, so an OS never asks for another state; ignore it like an
            // unsupported sleep type and report a wake at once.
            LOG.log(System.Logger.Level.WARNING, "ACPI PM1a_CNT: unsupported SLP_TYP {0} ignored (only S5={1} exists)",
                    slpTyp, SLP_TYP_S5);
            status |= WAK_STS;
        }
    }

    /** The bus view; offsets are relative to {@link #PM_BASE}. */
    private final class Registers implements BusDevice {
        @Override
        public long read(long offset, int size) {
            return AcpiPm.this.read(offset, size);
        }

        @Override
        public void write(long offset, int size, long value) {
            AcpiPm.this.write(offset, size, value);
        }
    }
}
