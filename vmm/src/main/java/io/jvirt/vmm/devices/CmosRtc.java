package io.jvirt.vmm.devices;

import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The MC146818 real-time clock and CMOS RAM behind index port 0x70 and data port 0x71
 * (Motorola MC146818A data sheet; register numbers as in Linux include/linux/mc146818rtc.h).
 * Time is the host's UTC clock plus an offset the guest can change by setting the clock.
 * Register B selects BCD or binary and 12- or 24-hour format; register A reports
 * update-in-progress for the last 244 us of each second. The memory-size bytes follow the
 * convention SeaBIOS and QEMU use (0x15/0x16, 0x17/0x18, 0x30/0x31, 0x34/0x35, 0x5b–0x5d).
 * Periodic, alarm and update-ended interrupts drive IRQ 8 from a timer thread that runs only
 * while one of them is enabled; {@link #close()} stops it.
 */
public final class CmosRtc implements BusDevice, AutoCloseable {

    public static final int INDEX_PORT = 0x70;
    /** RTC interrupt (ISA IRQ 8), LAYOUT.md. */
    public static final int GSI = 8;

    static final int SECONDS = 0x00;
    static final int SECONDS_ALARM = 0x01;
    static final int MINUTES = 0x02;
    static final int MINUTES_ALARM = 0x03;
    static final int HOURS = 0x04;
    static final int HOURS_ALARM = 0x05;
    static final int DAY_OF_WEEK = 0x06;
    static final int DAY_OF_MONTH = 0x07;
    static final int MONTH = 0x08;
    static final int YEAR = 0x09;
    static final int REG_A = 0x0a;
    static final int REG_B = 0x0b;
    static final int REG_C = 0x0c;
    static final int REG_D = 0x0d;
    static final int CENTURY = 0x32; // ACPI FADT "century" field points here (as on PCs)

    static final int A_UIP = 0x80;
    static final int A_DEFAULT = 0x26;  // 32.768 kHz time base (DV=010), 1024 Hz rate (RS=0110)
    static final int B_SET = 0x80;
    static final int B_PIE = 0x40;
    static final int B_AIE = 0x20;
    static final int B_UIE = 0x10;
    static final int B_DM_BINARY = 0x04;
    static final int B_24H = 0x02;
    static final int B_DEFAULT = B_24H; // BCD, 24-hour, as PC firmware leaves it
    static final int C_PF = 0x40;
    static final int C_AF = 0x20;
    static final int C_UF = 0x10;
    static final int C_IRQF = 0x80;
    static final int D_VRT = 0x80;      // valid RAM and time
    static final int HOUR_PM = 0x80;
    /** Update-in-progress lasts 244 us before the seconds roll over (data sheet, UIP). */
    static final long UIP_NANOS = 244_000;
    /** Alarm "don't care" codes: the two high bits set (data sheet, alarm registers). */
    static final int ALARM_DONT_CARE = 0xc0;
    /** Shortest periodic interval we generate (1024 Hz, rate 6); faster rates are slowed to it. */
    static final long MIN_PERIOD_NANOS = 1_000_000_000L / 1024;

    private final Clock clock;
    private final IrqLine irq;
    private int flags;
    private boolean irqHigh;
    private ScheduledExecutorService timer;
    private ScheduledFuture<?> secondly;
    private ScheduledFuture<?> periodic;
    private boolean closed;
    private final byte[] cmos = new byte[128];
    private int index;
    private long offsetSeconds;
    private long lastUpdateSecond;
    /** While SET is on, the time registers are frozen here and written by the guest. */
    private LocalDateTime frozen;

    /**
     * An RTC on the host clock for a guest with {@code lowRam} bytes below the MMIO hole and
     * {@code highRam} above 4 GiB, interrupting on {@code irq} (GSI 8).
     */
    public CmosRtc(long lowRam, long highRam, IrqLine irq) {
        this(Clock.systemUTC(), lowRam, highRam, irq);
    }

    CmosRtc(Clock clock, long lowRam, long highRam, IrqLine irq) {
        this.clock = clock;
        this.irq = irq;
        cmos[REG_A] = (byte) A_DEFAULT;
        cmos[REG_B] = (byte) B_DEFAULT;
        cmos[REG_D] = (byte) D_VRT;
        setMemorySize(lowRam, highRam);
        lastUpdateSecond = clock.instant().getEpochSecond();
    }

    /** Registers ports 0x70–0x71. */
    public void register(IoBus pio) {
        pio.register(INDEX_PORT, 2, this);
    }

    private void setMemorySize(long lowRam, long highRam) {
        put16(0x15, 640);                                               // base memory in KiB
        long extKb = Math.min(Math.max(0, lowRam - (1L << 20)) >> 10, 0xfc00); // KiB above 1 MiB, capped at 63 MiB
        put16(0x17, (int) extKb);
        put16(0x30, (int) extKb);
        long above16 = Math.min(Math.max(0, lowRam - (16L << 20)) >> 16, 0xffff); // 64 KiB units above 16 MiB
        put16(0x34, (int) above16);
        long above4g = highRam >> 16;                                   // 64 KiB units above 4 GiB
        cmos[0x5b] = (byte) above4g;
        cmos[0x5c] = (byte) (above4g >> 8);
        cmos[0x5d] = (byte) (above4g >> 16);
    }

    private void put16(int at, int v) {
        cmos[at] = (byte) v;
        cmos[at + 1] = (byte) (v >> 8);
    }

    @Override
    public synchronized long read(long offset, int size) {
        if (offset == 0) {
            return index; // the index port is write-only on real hardware; reading it back is harmless
        }
        if (offset != 1) {
            return 0xff;
        }
        return readRegister(index) & 0xff;
    }

    @Override
    public synchronized void write(long offset, int size, long value) {
        int v = (int) (value & 0xff);
        if (offset == 0) {
            index = v & 0x7f; // bit 7 is the NMI mask
        } else if (offset == 1) {
            writeRegister(index, v);
        }
    }

    private int readRegister(int reg) {
        return switch (reg) {
            case SECONDS, MINUTES, HOURS, DAY_OF_WEEK, DAY_OF_MONTH, MONTH, YEAR, CENTURY -> timeField(reg, now());
            case REG_A -> (cmos[REG_A] & 0x7f) | (updateInProgress() ? A_UIP : 0);
            case REG_C -> {
                long sec = clock.instant().getEpochSecond();
                int c = flags | (irqHigh ? C_IRQF : 0);
                if (sec != lastUpdateSecond && (cmos[REG_B] & B_SET) == 0) {
                    c |= C_UF; // an update cycle ended since the last read (for pollers)
                    lastUpdateSecond = sec;
                }
                flags = 0; // reading C clears every flag and releases IRQ 8
                updateIrq();
                yield c;
            }
            case REG_D -> D_VRT;
            default -> cmos[reg];
        };
    }

    private void writeRegister(int reg, int v) {
        switch (reg) {
            case SECONDS, MINUTES, HOURS, DAY_OF_WEEK, DAY_OF_MONTH, MONTH, YEAR, CENTURY -> {
                if (frozen != null) {
                    frozen = setField(frozen, reg, v);
                } else {
                    offsetSeconds += ChronoUnit.SECONDS.between(now(), setField(now(), reg, v));
                }
            }
            case REG_A -> {
                cmos[REG_A] = (byte) (v & 0x7f); // UIP is read-only
                reschedule();
            }
            case REG_B -> {
                boolean set = (v & B_SET) != 0;
                if (set && frozen == null) {
                    frozen = now();
                } else if (!set && frozen != null) {
                    LocalDateTime guestTime = frozen;
                    frozen = null;
                    offsetSeconds += ChronoUnit.SECONDS.between(now(), guestTime);
                }
                cmos[REG_B] = (byte) v;
                updateIrq();
                reschedule();
            }
            case REG_C, REG_D -> {
                // read-only
            }
            default -> cmos[reg] = (byte) v;
        }
    }

    /** (Re)arms the timer for the interrupts register B enables; none while SET is on. */
    private void reschedule() {
        if (secondly != null) {
            secondly.cancel(false);
            secondly = null;
        }
        if (periodic != null) {
            periodic.cancel(false);
            periodic = null;
        }
        int b = cmos[REG_B];
        if (closed || (b & B_SET) != 0) {
            return;
        }
        if ((b & (B_UIE | B_AIE)) != 0) {
            long toNextSecond = 1_000_000_000L - clock.instant().getNano();
            secondly = timer().scheduleAtFixedRate(this::secondTick, toNextSecond, 1_000_000_000L, TimeUnit.NANOSECONDS);
        }
        int rate = cmos[REG_A] & 0x0f;
        if ((b & B_PIE) != 0 && rate != 0) {
            // Data sheet, periodic rate table for a 32.768 kHz time base: rates 1 and 2 are 256 and
            // 128 Hz, rate r >= 3 is 32768 >> (r - 1) Hz.
            long hz = rate <= 2 ? 32768 >> (rate + 6) : 32768 >> (rate - 1);
            long period = Math.max(MIN_PERIOD_NANOS, 1_000_000_000L / hz);
            periodic = timer().scheduleAtFixedRate(this::periodicTick, period, period, TimeUnit.NANOSECONDS);
        }
    }

    private ScheduledExecutorService timer() {
        if (timer == null) {
            timer = Executors.newSingleThreadScheduledExecutor(
                    r -> Thread.ofPlatform().name("rtc-timer").daemon(true).unstarted(r));
        }
        return timer;
    }

    private synchronized void secondTick() {
        flags |= C_UF;
        LocalDateTime t = now();
        if (matches(SECONDS_ALARM, SECONDS, t) && matches(MINUTES_ALARM, MINUTES, t) && matches(HOURS_ALARM, HOURS, t)) {
            flags |= C_AF;
        }
        updateIrq();
    }

    private boolean matches(int alarmReg, int timeReg, LocalDateTime t) {
        int alarm = cmos[alarmReg] & 0xff;
        return (alarm & ALARM_DONT_CARE) == ALARM_DONT_CARE || alarm == timeField(timeReg, t);
    }

    private synchronized void periodicTick() {
        flags |= C_PF;
        updateIrq();
    }

    /** IRQ 8 is asserted while an enabled flag is pending in register C (IRQF). */
    private void updateIrq() {
        int b = cmos[REG_B];
        boolean level = ((flags & C_PF) != 0 && (b & B_PIE) != 0) || ((flags & C_AF) != 0 && (b & B_AIE) != 0)
                || ((flags & C_UF) != 0 && (b & B_UIE) != 0);
        if (level != irqHigh) {
            irqHigh = level;
            irq.set(level);
        }
    }

    /** Stops the interrupt timer thread (joined); the RTC keeps answering reads. */
    @Override
    public void close() {
        ScheduledExecutorService t;
        synchronized (this) {
            closed = true;
            reschedule();
            t = timer;
            timer = null;
        }
        if (t != null) {
            t.shutdownNow();
            try {
                t.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private LocalDateTime now() {
        if (frozen != null) {
            return frozen;
        }
        return LocalDateTime.ofEpochSecond(clock.instant().getEpochSecond() + offsetSeconds, 0, ZoneOffset.UTC);
    }

    private boolean updateInProgress() {
        if ((cmos[REG_B] & B_SET) != 0) {
            return false;
        }
        return clock.instant().getNano() >= 1_000_000_000L - UIP_NANOS;
    }

    private int timeField(int reg, LocalDateTime t) {
        int b = cmos[REG_B];
        if (reg == HOURS) {
            int h = t.getHour();
            if ((b & B_24H) != 0) {
                return encode(h, b);
            }
            int h12 = h % 12 == 0 ? 12 : h % 12;
            return encode(h12, b) | (h >= 12 ? HOUR_PM : 0);
        }
        int v = switch (reg) {
            case SECONDS -> t.getSecond();
            case MINUTES -> t.getMinute();
            case DAY_OF_WEEK -> t.getDayOfWeek().getValue() % 7 + 1; // 1 = Sunday
            case DAY_OF_MONTH -> t.getDayOfMonth();
            case MONTH -> t.getMonthValue();
            case YEAR -> t.getYear() % 100;
            default -> t.getYear() / 100; // CENTURY
        };
        return encode(v, b);
    }

    private static int encode(int v, int regB) {
        return (regB & B_DM_BINARY) != 0 ? v : ((v / 10) << 4) | (v % 10);
    }

    private int decode(int v) {
        return (cmos[REG_B] & B_DM_BINARY) != 0 ? v : ((v >> 4) & 0xf) * 10 + (v & 0xf);
    }

    /** A guest-written field; out-of-range values are clamped so no write can throw. */
    private LocalDateTime setField(LocalDateTime t, int reg, int raw) {
        try {
            return switch (reg) {
                case SECONDS -> t.withSecond(clamp(decode(raw), 0, 59));
                case MINUTES -> t.withMinute(clamp(decode(raw), 0, 59));
                case HOURS -> t.withHour(clamp(hour(raw), 0, 23));
                case DAY_OF_WEEK -> t; // derived from the date
                case DAY_OF_MONTH -> t.withDayOfMonth(clamp(decode(raw), 1, t.toLocalDate().lengthOfMonth()));
                case MONTH -> t.withMonth(clamp(decode(raw), 1, 12));
                case YEAR -> t.withYear(t.getYear() / 100 * 100 + clamp(decode(raw), 0, 99));
                default -> t.withYear(clamp(decode(raw), 19, 99) * 100 + t.getYear() % 100);
            };
        } catch (java.time.DateTimeException e) {
            return t; // e.g. Feb 30 after a month change: keep the old time
        }
    }

    private int hour(int raw) {
        if ((cmos[REG_B] & B_24H) != 0) {
            return decode(raw);
        }
        int h = decode(raw & 0x7f) % 12;
        return (raw & HOUR_PM) != 0 ? h + 12 : h;
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
