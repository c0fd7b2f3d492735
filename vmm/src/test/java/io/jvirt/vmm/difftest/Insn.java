package io.jvirt.vmm.difftest;

import java.util.HexFormat;

/**
 * One generated instruction: its encoding, a readable form for reports, and what it does to
 * the six arithmetic flags (Intel SDM vol. 2 "Flags Affected"): {@code defined} flags get a
 * defined value, {@code undefined} ones an undefined value, the others are left alone;
 * {@code reads} are the flags its result depends on (CMOVcc, SETcc, ADC, RCL...).
 */
record Insn(byte[] bytes, String text, int defined, int undefined, int reads) {

    Insn(byte[] bytes, String text, int defined, int undefined) {
        this(bytes, text, defined, undefined, 0);
    }

    static final int CF = 1, PF = 1 << 2, AF = 1 << 4, ZF = 1 << 6, SF = 1 << 7, OF = 1 << 11;
    static final int ARITH = CF | PF | AF | ZF | SF | OF;

    /** The flags condition code {@code cc} tests (SDM vol. 1 appendix B, "EFLAGS Condition Codes"). */
    static int conditionReads(int cc) {
        return switch (cc >> 1) {
            case 0 -> OF;
            case 1 -> CF;
            case 2 -> ZF;
            case 3 -> CF | ZF;
            case 4 -> SF;
            case 5 -> PF;
            case 6 -> SF | OF;
            default -> ZF | SF | OF;
        };
    }

    @Override
    public String toString() {
        return text + " [" + HexFormat.of().formatHex(bytes) + "]";
    }
}
