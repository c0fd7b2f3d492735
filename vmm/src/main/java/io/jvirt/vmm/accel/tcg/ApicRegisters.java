package io.jvirt.vmm.accel.tcg;

/**
 * The local APIC's register file and its priority arithmetic (Intel SDM vol. 3A §11.4.1
 * Table 11-1 for offsets, §11.8.3 for TPR/PPR, §11.8.4 for IRR/ISR/TMR). Plain data: the
 * owning {@link LocalApic} holds the lock.
 */
final class ApicRegisters {

    // xAPIC MMIO offsets (SDM Table 11-1); x2APIC MSR = 0x800 + offset / 16 (Table 11-6).
    static final int ID = 0x20;
    static final int VERSION = 0x30;
    static final int TPR = 0x80;
    static final int APR = 0x90;
    static final int PPR = 0xa0;
    static final int EOI = 0xb0;
    static final int LDR = 0xd0;
    static final int DFR = 0xe0;
    static final int SVR = 0xf0;
    static final int ISR_BASE = 0x100;
    static final int TMR_BASE = 0x180;
    static final int IRR_BASE = 0x200;
    static final int ESR = 0x280;
    static final int LVT_CMCI_REG = 0x2f0;
    static final int ICR_LOW = 0x300;
    static final int ICR_HIGH = 0x310;
    static final int LVT_TIMER_REG = 0x320;
    static final int LVT_ERROR_REG = 0x370;
    static final int INITIAL_COUNT = 0x380;
    static final int CURRENT_COUNT = 0x390;
    static final int DIVIDE_CONFIG = 0x3e0;
    static final int SELF_IPI = 0x3f0;

    /** LVT indices into {@link #lvt}: CMCI, then 0x320..0x370 in order. */
    static final int LVT_CMCI = 0;
    static final int LVT_TIMER = 1;
    static final int LVT_THERMAL = 2;
    static final int LVT_PERF = 3;
    static final int LVT_LINT0 = 4;
    static final int LVT_LINT1 = 5;
    static final int LVT_ERROR = 6;
    static final int LVT_MASKED = 1 << 16;
    /** Writable bits per LVT (SDM Figure 11-8): vector, delivery mode, polarity, trigger, mask, timer mode. */
    private static final int[] LVT_WRITABLE = {0x107ff, 0x700ff, 0x107ff, 0x107ff, 0x1a7ff, 0x1a7ff, 0x100ff};

    /** ESR bits (SDM Figure 11-9). */
    static final int ESR_SEND_ILLEGAL_VECTOR = 1 << 5;
    static final int ESR_RECEIVE_ILLEGAL_VECTOR = 1 << 6;

    /** SVR bit 8: APIC software enable (SDM §11.4.7.2). */
    static final int SVR_ENABLE = 1 << 8;

    int id;
    int tpr;
    int ldr;
    int dfr;
    int svr;
    int esr;
    int pendingErrors;
    int icrLow;
    int icrHigh;
    final int[] lvt = new int[7];
    final int[] irr = new int[8];
    final int[] isr = new int[8];
    final int[] tmr = new int[8];

    /** Reset values, SDM §11.4.7.1: all zero except DFR all ones, SVR 0xff, LVTs masked. */
    void reset(int apicId) {
        id = apicId;
        tpr = 0;
        ldr = 0;
        dfr = 0xffffffff;
        svr = 0xff;
        esr = 0;
        pendingErrors = 0;
        icrLow = 0;
        icrHigh = 0;
        java.util.Arrays.fill(lvt, LVT_MASKED);
        java.util.Arrays.fill(irr, 0);
        java.util.Arrays.fill(isr, 0);
        java.util.Arrays.fill(tmr, 0);
    }

    boolean softwareEnabled() {
        return (svr & SVR_ENABLE) != 0;
    }

    /** Registers that exist as x2APIC MSRs (SDM Table 11-6); DFR, ICR high and APR do not. */
    static boolean x2apicValid(int reg) {
        return switch (reg) {
            case ID, VERSION, TPR, PPR, EOI, LDR, SVR, ESR, LVT_CMCI_REG, ICR_LOW, INITIAL_COUNT, CURRENT_COUNT,
                 DIVIDE_CONFIG, SELF_IPI -> true;
            default -> (reg >= ISR_BASE && reg < ESR) || (reg >= LVT_TIMER_REG && reg <= LVT_ERROR_REG);
        };
    }

    int read(int reg) {
        if (reg >= ISR_BASE && reg < ESR) {
            int[] bank = reg < TMR_BASE ? isr : reg < IRR_BASE ? tmr : irr;
            return bank[(reg >> 4) & 7];
        }
        if (reg >= LVT_TIMER_REG && reg <= LVT_ERROR_REG) {
            return lvt[1 + ((reg - LVT_TIMER_REG) >> 4)];
        }
        return switch (reg) {
            case TPR -> tpr;
            case LDR -> ldr;
            case DFR -> dfr;
            case SVR -> svr;
            case ESR -> esr;
            case LVT_CMCI_REG -> lvt[LVT_CMCI];
            case ICR_LOW -> icrLow;
            case ICR_HIGH -> icrHigh;
            default -> 0;
        };
    }

    void write(int reg, int value) {
        if (reg >= LVT_TIMER_REG && reg <= LVT_ERROR_REG) {
            writeLvt(1 + ((reg - LVT_TIMER_REG) >> 4), value);
            return;
        }
        switch (reg) {
            case TPR -> tpr = value & 0xff;
            case LDR -> ldr = value & 0xff000000;
            case DFR -> dfr = value | 0x0fffffff;
            case SVR -> {
                svr = value & 0x3ff; // no EOI-broadcast suppression: version bit 24 is clear
                if (!softwareEnabled()) {
                    for (int i = 0; i < lvt.length; i++) {
                        lvt[i] |= LVT_MASKED; // SDM §11.4.7.2: software disable masks every LVT
                    }
                }
            }
            case ICR_HIGH -> icrHigh = value & 0xff000000;
            case LVT_CMCI_REG -> writeLvt(LVT_CMCI, value);
            default -> { } // read-only or unknown: ignored
        }
    }

    private void writeLvt(int index, int value) {
        int v = value & LVT_WRITABLE[index];
        if (!softwareEnabled()) {
            v |= LVT_MASKED;
        }
        lvt[index] = v | (lvt[index] & ~LVT_WRITABLE[index] & (1 << 14)); // keep remote IRR (LINT)
    }

    /** ESR write: errors seen since the last write become readable (SDM §11.5.3). */
    void latchErrors() {
        esr = pendingErrors;
        pendingErrors = 0;
    }

    boolean bit(int[] bank, int vector) {
        return (bank[vector >>> 5] & (1 << (vector & 31))) != 0;
    }

    void setBit(int[] bank, int vector, boolean on) {
        if (on) {
            bank[vector >>> 5] |= 1 << (vector & 31);
        } else {
            bank[vector >>> 5] &= ~(1 << (vector & 31));
        }
    }

    /** Highest set vector in {@code bank}, or -1. */
    int highest(int[] bank) {
        for (int i = 7; i >= 0; i--) {
            if (bank[i] != 0) {
                return i * 32 + 31 - Integer.numberOfLeadingZeros(bank[i]);
            }
        }
        return -1;
    }

    /** PPR = TPR if TPR[7:4] >= ISRV[7:4], else ISRV[7:4] << 4 (SDM §11.8.3.1). */
    int processorPriority() {
        int isrv = Math.max(0, highest(isr));
        return (tpr >>> 4) >= (isrv >>> 4) ? tpr : isrv & 0xf0;
    }

    /** The IRR vector the CPU may take now (its class above PPR's), or -1 (SDM §11.8.4). */
    int acknowledgeable() {
        int v = highest(irr);
        if (v < 0 || !softwareEnabled()) {
            return -1;
        }
        return (v & 0xf0) > (processorPriority() & 0xf0) ? v : -1;
    }

    String describe() {
        return "tpr=0x" + Integer.toHexString(tpr) + " svr=0x" + Integer.toHexString(svr)
                + " irr=" + vectors(irr) + " isr=" + vectors(isr) + " tmr=" + vectors(tmr)
                + " lint0=0x" + Integer.toHexString(lvt[LVT_LINT0]) + " timer=0x" + Integer.toHexString(lvt[LVT_TIMER]);
    }

    private String vectors(int[] bank) {
        StringBuilder b = new StringBuilder("[");
        for (int v = 0; v < 256; v++) {
            if (bit(bank, v)) {
                b.append(b.length() > 1 ? "," : "").append("0x").append(Integer.toHexString(v));
            }
        }
        return b.append(']').toString();
    }
}
