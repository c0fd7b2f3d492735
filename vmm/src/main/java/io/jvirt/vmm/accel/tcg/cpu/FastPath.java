package io.jvirt.vmm.accel.tcg.cpu;

/**
 * The most frequent 64-bit-mode instruction forms, executed inline by the run loop without
 * going through {@link Exec}'s dispatch. Chosen at block build time; everything else is 0
 * (the general path). Only forms whose semantics are a line of Java qualify.
 */
final class FastPath {
    static final int NONE = 0, MOV_RR64 = 1, MOV_RR32 = 2, LOAD64 = 3, STORE64 = 4, LOAD32 = 5, STORE32 = 6,
            LEA64 = 7, ADD_RR64 = 8, SUB_RR64 = 9, AND_RR64 = 10, XOR_RR32 = 11, MOV_IMM32 = 12;

    /** -Djvirt.tcg.noFastPath=true for A/B measurements. */
    static final boolean DISABLED = Boolean.getBoolean("jvirt.tcg.noFastPath");

    private FastPath() {
    }

    static void classify(Insn in, int mode) {
        if (DISABLED || mode != 64 || (in.pfx & (Insn.PLOCK | Insn.PF2 | Insn.PF3)) != 0) {
            return;
        }
        boolean reg = in.mod == 3;
        int osz = in.osz;
        in.fast = switch (in.op) {
            case 0x89 -> reg ? (osz == 8 ? MOV_RR64 : osz == 4 ? MOV_RR32 : NONE)
                    : osz == 8 ? STORE64 : osz == 4 ? STORE32 : NONE;
            case 0x8b -> reg ? NONE : osz == 8 ? LOAD64 : osz == 4 ? LOAD32 : NONE;
            case 0x8d -> !reg && osz == 8 && in.asz == 8 ? LEA64 : NONE;
            case 0x01 -> reg && osz == 8 && in.flagsDead ? ADD_RR64 : NONE;
            case 0x29 -> reg && osz == 8 && in.flagsDead ? SUB_RR64 : NONE;
            case 0x21 -> reg && osz == 8 && in.flagsDead ? AND_RR64 : NONE;
            case 0x31 -> reg && osz == 4 && in.flagsDead ? XOR_RR32 : NONE;
            case 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf -> osz == 4 ? MOV_IMM32 : NONE;
            default -> NONE;
        };
    }

    /** Executes a classified instruction; false for the general path. */
    static boolean exec(Cpu c, Insn in) {
        long[] r = c.r;
        switch (in.fast) {
            case MOV_RR64 -> r[in.rm] = r[in.reg];
            case MOV_RR32 -> r[in.rm] = r[in.reg] & 0xffffffffL;
            case LOAD64 -> r[in.reg] = c.mmu.read64(c.linear(in.segment(), c.ea(in)));
            case STORE64 -> c.mmu.write(c.linear(in.segment(), c.ea(in)), 8, r[in.reg]);
            case LOAD32 -> r[in.reg] = c.mmu.read32(c.linear(in.segment(), c.ea(in))) & 0xffffffffL;
            case STORE32 -> c.mmu.write(c.linear(in.segment(), c.ea(in)), 4, r[in.reg]);
            case LEA64 -> r[in.reg] = c.ea(in);
            case ADD_RR64 -> r[in.rm] += r[in.reg];
            case SUB_RR64 -> r[in.rm] -= r[in.reg];
            case AND_RR64 -> r[in.rm] &= r[in.reg];
            case XOR_RR32 -> r[in.rm] = (r[in.rm] ^ r[in.reg]) & 0xffffffffL;
            case MOV_IMM32 -> r[(in.op & 7) | ((in.rex & 1) << 3)] = in.imm & 0xffffffffL;
            default -> {
                return false;
            }
        }
        return true;
    }
}
