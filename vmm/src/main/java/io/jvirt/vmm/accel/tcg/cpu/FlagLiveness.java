package io.jvirt.vmm.accel.tcg.cpu;

/**
 * Dead-flag elimination inside a decoded block: an instruction's arithmetic flags are dead
 * when a later instruction of the same block overwrites all six before anything reads them.
 * The executor then skips computing them. Flags are assumed live at the block's end and
 * across anything not classified here (conservative), so only straight-line ALU code gains.
 * Interrupts are taken only between blocks, so no handler can observe a skipped flag.
 */
final class FlagLiveness {
    /** -Djvirt.tcg.noFlagLiveness=true turns the optimization off (A/B measurements). */
    private static final boolean DISABLED = Boolean.getBoolean("jvirt.tcg.noFlagLiveness");

    private FlagLiveness() {
    }

    /** Overwrites CF, PF, AF, ZF, SF and OF without reading them. */
    static boolean writesAll(Insn in) {
        int op = in.op;
        if (op < 0x40) {
            int low = op & 7;
            int kind = op >> 3;
            return low < 6 && kind != 2 && kind != 3; // not ADC/SBB (they read CF)
        }
        return switch (op) {
            case 0x80, 0x81, 0x83 -> (in.reg & 7) != 2 && (in.reg & 7) != 3;
            case 0x84, 0x85, 0xa8, 0xa9, 0x69, 0x6b, 0x1af -> true;
            case 0xf6, 0xf7 -> (in.reg & 7) != 2; // TEST, NEG, MUL, IMUL, DIV (DIV leaves flags: excluded below)
            case 0xc0, 0xc1 -> (in.reg & 7) >= 4 && (in.imm & (in.osz == 8 && op == 0xc1 ? 0x3f : 0x1f)) != 0;
            case 0xd0, 0xd1 -> (in.reg & 7) >= 4;
            default -> false;
        };
    }

    /** Neither reads nor writes the arithmetic flags. */
    static boolean neutral(Insn in) {
        int op = in.op;
        return (op >= 0x88 && op <= 0x8b) || op == 0x8d || (op >= 0xb0 && op <= 0xbf) || op == 0xc6 || op == 0xc7
                || (op >= 0x50 && op <= 0x5f) || op == 0x63 || (op >= 0x90 && op <= 0x99) || op == 0x86
                || op == 0x87 || op == 0x68 || op == 0x6a || op == 0x1b6 || op == 0x1b7 || op == 0x1be
                || op == 0x1bf || (op >= 0x1c8 && op <= 0x1cf) || (op >= 0x118 && op <= 0x11f);
    }

    /** Marks {@link Insn#flagsDead} on the instructions of one block. */
    static void analyze(Insn[] insns) {
        if (DISABLED) {
            return;
        }
        boolean liveAfter = true;
        for (int i = insns.length - 1; i >= 0; i--) {
            Insn in = insns[i];
            boolean div = (in.op == 0xf6 || in.op == 0xf7) && (in.reg & 7) >= 6;
            if (writesAll(in) && !div) {
                in.flagsDead = !liveAfter;
                liveAfter = false;
            } else if (isRolRor(in)) {
                in.flagsDead = !liveAfter; // it writes CF and OF (if its count is not 0) and keeps the rest
            } else if (isAdcSbb(in)) {
                in.flagsDead = !liveAfter; // it writes all six, after reading CF
                liveAfter = true;
            } else if (isIncDec(in)) {
                in.flagsDead = !liveAfter; // skipping leaves CF (and the dead rest) untouched
                liveAfter = true;          // CF passes through
            } else if (!neutral(in)) {
                liveAfter = true;
            }
        }
    }

    private static boolean isRolRor(Insn in) {
        int op = in.op;
        return (op == 0xc0 || op == 0xc1 || (op >= 0xd0 && op <= 0xd3)) && (in.reg & 7) <= 1;
    }

    private static boolean isAdcSbb(Insn in) {
        int op = in.op;
        if (op < 0x40) {
            int kind = op >> 3;
            return (op & 7) < 6 && (kind == 2 || kind == 3);
        }
        return (op == 0x80 || op == 0x81 || op == 0x83) && ((in.reg & 7) == 2 || (in.reg & 7) == 3);
    }

    private static boolean isIncDec(Insn in) {
        int op = in.op;
        return (op >= 0x40 && op <= 0x4f) || ((op == 0xfe || op == 0xff) && (in.reg & 7) < 2);
    }
}
