package io.jvirt.vmm.accel.tcg;

import io.jvirt.vmm.accel.tcg.cpu.InterruptSource;
import java.util.function.LongSupplier;

/**
 * One vCPU's local APIC (Intel SDM vol. 3A chapter 11): xAPIC registers in the MMIO page at
 * IA32_APIC_BASE (0xfee00000 after reset) and the same registers as x2APIC MSRs 0x800–0x8ff
 * (§11.12) once the guest sets IA32_APIC_BASE.EXTD; IRR/ISR/TMR and the priority logic; the
 * timer ({@link ApicTimer}); IPIs through {@link ApicBus}; the 8259 PIC behind LINT0 as ExtINT
 * (virtual wire, §11.5.1 / MP spec §3.6.2.2).
 *
 * <p>Under KVM the kernel emulates all this; here it is Java. Thread-safety: the vCPU thread
 * reads and writes registers, other vCPUs, the IOAPIC and the timer thread deliver
 * interrupts; all state is guarded by {@code this}. Nothing calls out of this object while
 * holding its lock except into the PIC (ExtINT acknowledge) and the doorbell, which never call
 * back, so LAPIC -> PIC is the only lock order.
 */
final class LocalApic implements InterruptSource {

    /** IA32_APIC_BASE (MSR 0x1b) fields, SDM Figure 11-5. */
    static final int MSR_APIC_BASE = 0x1b;
    static final long BASE_BSP = 1L << 8;
    static final long BASE_EXTD = 1L << 10;
    static final long BASE_ENABLE = 1L << 11;
    static final long DEFAULT_BASE = 0xfee00000L;
    /** IA32_TSC_DEADLINE, SDM §11.5.4.1. */
    static final int MSR_TSC_DEADLINE = 0x6e0;
    /** x2APIC MSR range; MSR = 0x800 + (xAPIC offset >> 4), SDM Table 11-6. */
    static final int MSR_X2APIC_FIRST = 0x800;
    static final int MSR_X2APIC_LAST = 0x8ff;
    /** Version register: version 0x14 (integrated APIC), 6 LVT entries (max LVT index 5), like KVM/QEMU. */
    static final int VERSION = 0x0005_0014;

    private final int apicId;
    private final ApicBus bus;
    private final Pic pic;
    private final Doorbell bell;
    private final LongSupplier tsc;
    private final ApicRegisters regs = new ApicRegisters();
    private final ApicTimer timer;

    private long apicBase;
    private boolean nmiPending;
    private boolean initPending;
    private boolean waitForSipi;
    private int sipiVector = -1;
    private volatile boolean extIntRequested;
    /** Cached: an IRR vector beats the processor priority; read without the lock by {@link #hasInterrupt()}. */
    private volatile boolean deliverable;
    /** Cached {@link #mmioBase()}: the page base, or -1 when globally disabled or in x2APIC mode. */
    private volatile long mmioBase;
    /** Cached: LINT0 takes the PIC's INTR (ExtINT unmasked, or the APIC globally disabled). */
    private volatile boolean picAccepted;

    LocalApic(int apicId, ApicBus bus, Pic pic, PlatformTimers timers, LongSupplier tsc, Doorbell bell) {
        this.apicId = apicId;
        this.bus = bus;
        this.pic = pic;
        this.bell = bell;
        this.tsc = tsc;
        this.timer = new ApicTimer(timers, tsc, this::timerExpired);
        reset(apicId == 0, false);
    }

    int apicId() {
        return apicId;
    }

    /**
     * Power-on/RESET state (SDM §11.4.7.1 "Local APIC State After Power-Up or Reset"). With
     * {@code virtualWire} the boot CPU is left the way PC firmware leaves it (SeaBIOS: SVR
     * enabled, LINT0 ExtINT, LINT1 NMI), since direct kernel boot has no firmware to do so.
     */
    synchronized void reset(boolean bsp, boolean virtualWire) {
        apicBase = DEFAULT_BASE | BASE_ENABLE | (bsp ? BASE_BSP : 0);
        regs.reset(apicId);
        timer.reset();
        nmiPending = false;
        initPending = false;
        waitForSipi = !bsp;
        sipiVector = -1;
        extIntRequested = false;
        if (virtualWire) {
            regs.svr = 0x1ff;
            regs.lvt[ApicRegisters.LVT_LINT0] = ApicBus.EXTINT << 8;
            regs.lvt[ApicRegisters.LVT_LINT1] = ApicBus.NMI << 8;
        }
        recompute();
    }

    // ---- InterruptSource (vCPU thread) ----

    @Override
    public boolean hasInterrupt() {
        return deliverable || ((picAccepted || extIntRequested) && pic.output());
    }

    @Override
    public int acknowledge() {
        boolean extInt;
        synchronized (this) {
            int v = regs.acknowledgeable();
            if (v >= 0) {
                regs.setBit(regs.irr, v, false);
                regs.setBit(regs.isr, v, true);
                recompute();
                return v;
            }
            extInt = picAccepted || extIntRequested;
            extIntRequested = false;
        }
        return extInt && pic.output() ? pic.acknowledge() : -1;
    }

    /**
     * MOV to CR8. No doorbell: the caller is this vCPU, which polls {@link #hasInterrupt()}
     * right after the write (the instruction ends its block), and no other thread waits on
     * this APIC's priority.
     */
    @Override
    public synchronized void setTaskPriority(int tpr) {
        regs.write(ApicRegisters.TPR, tpr);
        recompute();
    }

    @Override
    public synchronized boolean takeNmi() {
        boolean n = nmiPending;
        nmiPending = false;
        return n;
    }

    /** Lock-free: the CPU may ask on every physical access that misses RAM. */
    @Override
    public long mmioBase() {
        return mmioBase;
    }

    @Override
    public long mmioRead(int offset, int size) {
        int reg = offset & 0xff0;
        long v;
        synchronized (this) {
            v = Integer.toUnsignedLong(readRegister(reg, false));
        }
        int shift = (offset & 0xf) * 8;
        if (shift >= 32) {
            return 0;
        }
        v >>>= shift;
        return size >= 4 ? v : v & ((1L << (size * 8)) - 1);
    }

    @Override
    public void mmioWrite(int offset, int size, long value) {
        if ((offset & 0xf) != 0) {
            return; // registers are 32-bit at 16-byte alignment; other accesses are undefined (SDM §11.4.1)
        }
        writeRegister(offset & 0xff0, (int) value, 0, false);
    }

    /** 0x1b and 0x6e0 always; x2APIC MSRs only in x2APIC mode (otherwise the CPU raises #GP). */
    @Override
    public synchronized boolean ownsMsr(int msr) {
        if (msr == MSR_APIC_BASE || msr == MSR_TSC_DEADLINE) {
            return true;
        }
        return msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST && (apicBase & BASE_EXTD) != 0
                && ApicRegisters.x2apicValid((msr - MSR_X2APIC_FIRST) << 4);
    }

    @Override
    public long readMsr(int msr) {
        synchronized (this) {
            if (msr == MSR_APIC_BASE) {
                return apicBase;
            }
            if (msr == MSR_TSC_DEADLINE) {
                return timer.tscDeadline();
            }
            int reg = (msr - MSR_X2APIC_FIRST) << 4;
            if (reg == ApicRegisters.ICR_LOW) {
                return (Integer.toUnsignedLong(regs.icrHigh) << 32) | Integer.toUnsignedLong(regs.icrLow);
            }
            return Integer.toUnsignedLong(readRegister(reg, true));
        }
    }

    @Override
    public void writeMsr(int msr, long value) {
        if (msr == MSR_APIC_BASE) {
            writeApicBase(value);
        } else if (msr == MSR_TSC_DEADLINE) {
            synchronized (this) {
                timer.writeTscDeadline(value);
            }
        } else {
            int reg = (msr - MSR_X2APIC_FIRST) << 4;
            writeRegister(reg, (int) value, (int) (value >>> 32), true);
        }
    }

    // ---- registers ----

    private int readRegister(int reg, boolean x2) {
        return switch (reg) {
            case ApicRegisters.ID -> x2 ? apicId : regs.id << 24;
            case ApicRegisters.VERSION -> VERSION;
            case ApicRegisters.PPR -> regs.processorPriority();
            case ApicRegisters.LDR -> x2 ? ApicDestination.x2apicLdr(apicId) : regs.ldr;
            case ApicRegisters.CURRENT_COUNT -> timer.currentCount();
            case ApicRegisters.INITIAL_COUNT -> timer.initialCount();
            case ApicRegisters.DIVIDE_CONFIG -> timer.divideConfig();
            default -> regs.read(reg);
        };
    }

    private void writeRegister(int reg, int value, int high, boolean x2) {
        switch (reg) {
            case ApicRegisters.EOI -> {
                eoi();
                return;
            }
            case ApicRegisters.ICR_LOW -> {
                ApicBus.Message m;
                synchronized (this) {
                    regs.icrLow = value & ~(1 << 12); // delivery status reads idle: sent at once
                    if (x2) {
                        regs.icrHigh = high;
                    }
                    m = ipiMessage(x2);
                }
                if (m != null) {
                    bus.send(this, m);
                }
                return;
            }
            case ApicRegisters.SELF_IPI -> {
                if (x2) {
                    bus.send(this, new ApicBus.Message(value & 0xff, ApicBus.FIXED, false, 0, false,
                            ApicBus.SELF, true));
                }
                return;
            }
            default -> { }
        }
        synchronized (this) {
            switch (reg) {
                case ApicRegisters.ID -> {
                    if (!x2) {
                        regs.id = value >>> 24;
                    }
                }
                case ApicRegisters.INITIAL_COUNT -> timer.writeInitialCount(value);
                case ApicRegisters.DIVIDE_CONFIG -> timer.writeDivideConfig(value);
                case ApicRegisters.LVT_TIMER_REG -> {
                    regs.write(reg, value);
                    timer.setMode((regs.lvt[ApicRegisters.LVT_TIMER] >>> 17) & 3);
                }
                case ApicRegisters.LDR, ApicRegisters.DFR -> {
                    if (!x2) {
                        regs.write(reg, value);
                    }
                }
                case ApicRegisters.ESR -> regs.latchErrors();
                default -> regs.write(reg, value);
            }
            recompute();
        }
        bell.ring();
    }

    /** The message an ICR write sends, or null for "INIT level de-assert" (SDM §11.6.1, a no-op on P4+). */
    private ApicBus.Message ipiMessage(boolean x2) {
        int low = regs.icrLow;
        int mode = (low >>> 8) & 7;
        boolean assertLevel = (low & (1 << 14)) != 0;
        boolean levelTrigger = (low & (1 << 15)) != 0;
        if (mode == ApicBus.INIT && !assertLevel && levelTrigger) {
            return null;
        }
        int vector = low & 0xff;
        if ((mode == ApicBus.FIXED || mode == ApicBus.LOWEST_PRIORITY) && vector < 16) {
            regs.pendingErrors |= ApicRegisters.ESR_SEND_ILLEGAL_VECTOR;
            return null;
        }
        int dest = x2 ? regs.icrHigh : regs.icrHigh >>> 24;
        return new ApicBus.Message(vector, mode, (low & (1 << 11)) != 0, dest, levelTrigger,
                (low >>> 18) & 3, x2);
    }

    private void eoi() {
        int vector;
        boolean level;
        synchronized (this) {
            vector = regs.highest(regs.isr);
            if (vector < 0) {
                return;
            }
            regs.setBit(regs.isr, vector, false);
            level = regs.bit(regs.tmr, vector);
            recompute();
        }
        if (level) {
            bus.broadcastEoi(vector);
        }
        bell.ring();
    }

    private void writeApicBase(long value) {
        synchronized (this) {
            long old = apicBase;
            long keep = value & (0xf_ffff_f000L | BASE_ENABLE | BASE_EXTD);
            apicBase = keep | (old & BASE_BSP);
            if ((old & BASE_ENABLE) != 0 && (value & BASE_ENABLE) == 0) {
                // Globally disabled: like a reset, except the ID (SDM §11.4.3).
                int id = regs.id;
                regs.reset(apicId);
                regs.id = id;
                timer.reset();
            }
            recompute();
        }
        bell.ring();
    }

    // ---- delivery (any thread) ----

    synchronized boolean hardwareEnabled() {
        return (apicBase & BASE_ENABLE) != 0;
    }

    /** Any thread: the vCPU's CR8 reads and lowest-priority arbitration ({@link ApicBus}). */
    @Override
    public synchronized int taskPriority() {
        return regs.tpr;
    }

    synchronized boolean matchesPhysical(int dest, boolean x2format) {
        return (apicBase & BASE_EXTD) != 0 ? ApicDestination.x2apicPhysical(apicId, dest, x2format)
                : ApicDestination.xapicPhysical(regs.id, dest);
    }

    synchronized boolean matchesLogical(int dest, boolean x2format) {
        return (apicBase & BASE_EXTD) != 0 ? ApicDestination.x2apicLogical(apicId, dest, x2format)
                : ApicDestination.xapicLogical(regs.ldr, regs.dfr, dest);
    }

    /** A fixed (or lowest-priority) interrupt arrives; level-triggered ones set TMR for the EOI broadcast. */
    void acceptFixed(int vector, boolean level) {
        synchronized (this) {
            if (!acceptLocked(vector, level)) {
                return;
            }
        }
        bell.ring();
    }

    private boolean acceptLocked(int vector, boolean level) {
        if (!regs.softwareEnabled()) {
            return false; // a software-disabled APIC drops fixed interrupts (as KVM does)
        }
        if (vector < 16) {
            regs.pendingErrors |= ApicRegisters.ESR_RECEIVE_ILLEGAL_VECTOR;
            raiseError();
            return true;
        }
        regs.setBit(regs.irr, vector, true);
        regs.setBit(regs.tmr, vector, level);
        recompute();
        return true;
    }

    private void raiseError() {
        int lvt = regs.lvt[ApicRegisters.LVT_ERROR];
        int v = lvt & 0xff;
        if ((lvt & ApicRegisters.LVT_MASKED) == 0 && v >= 16) {
            regs.setBit(regs.irr, v, true);
            regs.setBit(regs.tmr, v, false);
            recompute();
        }
    }

    void acceptNmi() {
        synchronized (this) {
            nmiPending = true;
        }
        bell.ring();
    }

    void acceptInit() {
        synchronized (this) {
            initPending = true;
            waitForSipi = true;
            sipiVector = -1;
        }
        bell.ringUrgent();
    }

    void acceptStartup(int vector) {
        synchronized (this) {
            if (!waitForSipi) {
                return; // a SIPI outside wait-for-SIPI is ignored (SDM §8.4.4.1 / §11.6.1)
            }
            waitForSipi = false;
            sipiVector = vector;
        }
        bell.ringUrgent();
    }

    void acceptExtInt() {
        synchronized (this) {
            extIntRequested = true;
        }
        bell.ring();
    }

    /** The PIC's INTR changed: a halted vCPU re-checks {@link #hasInterrupt()}. */
    void picChanged() {
        if (picAccepted) {
            bell.ring();
        }
    }

    /** vCPU thread, between slices: takes a pending INIT; the caller resets the CPU to wait-for-SIPI. */
    synchronized boolean takeInit() {
        if (!initPending) {
            return false;
        }
        initPending = false;
        // INIT resets the APIC except its ID and base (SDM §11.4.7.3).
        int id = regs.id;
        boolean keepSipiWait = waitForSipi;
        int sipi = sipiVector;
        regs.reset(apicId);
        regs.id = id;
        timer.reset();
        waitForSipi = keepSipiWait;
        sipiVector = sipi;
        recompute();
        return true;
    }

    /** vCPU thread, between slices: the vector of a SIPI received in wait-for-SIPI, or -1. */
    synchronized int takeStartup() {
        int v = sipiVector;
        sipiVector = -1;
        return v;
    }

    private void timerExpired(long firing) {
        synchronized (this) {
            if (!timer.expire(firing)) {
                return;
            }
            int lvt = regs.lvt[ApicRegisters.LVT_TIMER];
            if ((lvt & ApicRegisters.LVT_MASKED) != 0 || !acceptLocked(lvt & 0xff, false)) {
                return;
            }
        }
        bell.ring();
    }

    private void recompute() {
        boolean enabled = (apicBase & BASE_ENABLE) != 0;
        mmioBase = !enabled || (apicBase & BASE_EXTD) != 0 ? -1 : apicBase & 0xf_ffff_f000L;
        deliverable = enabled && regs.acknowledgeable() >= 0;
        int lint0 = regs.lvt[ApicRegisters.LVT_LINT0];
        picAccepted = !enabled || ((lint0 & ApicRegisters.LVT_MASKED) == 0 && ((lint0 >>> 8) & 7) == ApicBus.EXTINT);
    }

    /** For tests and diagnostics: IRR, ISR and TMR as 256-bit strings of set vectors. */
    synchronized String describe() {
        return "APIC " + apicId + " base=0x" + Long.toHexString(apicBase) + " " + regs.describe()
                + " timer=" + timer.currentCount() + "/" + timer.initialCount();
    }

    long tsc() {
        return tsc.getAsLong();
    }
}
