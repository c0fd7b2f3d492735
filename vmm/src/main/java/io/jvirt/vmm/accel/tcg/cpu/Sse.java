package io.jvirt.vmm.accel.tcg.cpu;

/**
 * SSE and SSE2 (SDM vol. 2, 0F map with mandatory prefixes none/66/F3/F2): moves, logic,
 * packed integer arithmetic/compare/shuffle/unpack, scalar and packed float arithmetic,
 * conversions and compares. MMX forms (no prefix on 0F 60–7F, D0–FF) are not advertised: #UD.
 */
final class Sse {
    private Sse() {
    }

    static void checkSse(Cpu c) {
        if ((c.cr0 & Cpu.CR0_EM) != 0 || (c.cr4 & Cpu.CR4_OSFXSR) == 0) {
            throw CpuFault.ud();
        }
        if ((c.cr0 & Cpu.CR0_TS) != 0) {
            throw CpuFault.of(CpuFault.NM);
        }
    }

    /** 0 none, 1 = 66, 2 = F3, 3 = F2 (F2/F3 take precedence over 66). */
    static int prefix(Insn in) {
        if ((in.pfx & Insn.PF3) != 0) {
            return 2;
        }
        if ((in.pfx & Insn.PF2) != 0) {
            return 3;
        }
        return (in.pfx & Insn.P66) != 0 ? 1 : 0;
    }

    // ---- operand access ----

    static long lo(Cpu c, int n) {
        return c.fpu.xmm[2 * n];
    }

    static long hi(Cpu c, int n) {
        return c.fpu.xmm[2 * n + 1];
    }

    static void set(Cpu c, int n, long lo, long hi) {
        c.fpu.xmm[2 * n] = lo;
        c.fpu.xmm[2 * n + 1] = hi;
    }

    /** Source operand, 128 bits: register rm or memory. Result in out[0..1]. */
    static void src128(Cpu c, Insn in, long[] out, boolean aligned) {
        if (in.mod == 3) {
            out[0] = lo(c, in.rm);
            out[1] = hi(c, in.rm);
            return;
        }
        long lin = c.addr(in);
        if (aligned && (lin & 15) != 0) {
            throw CpuFault.gp(0);
        }
        out[0] = c.mmu.read64(lin);
        out[1] = c.mmu.read64(lin + 8);
    }

    static long src64(Cpu c, Insn in) {
        return in.mod == 3 ? lo(c, in.rm) : c.mmu.read64(c.addr(in));
    }

    static int src32(Cpu c, Insn in) {
        return in.mod == 3 ? (int) lo(c, in.rm) : c.mmu.read32(c.addr(in));
    }

    static void store128(Cpu c, Insn in, long lo, long hi, boolean aligned) {
        if (in.mod == 3) {
            set(c, in.rm, lo, hi);
            return;
        }
        long lin = c.addr(in);
        if (aligned && (lin & 15) != 0) {
            throw CpuFault.gp(0);
        }
        c.mmu.translate(lin + 15, Mmu.WRITE);
        c.mmu.write64(lin, lo);
        c.mmu.write64(lin + 8, hi);
    }

    static void exec(Cpu c, Insn in) {
        int b = in.op & 0xff;
        if (b == 0xc3) { // MOVNTI m, r
            if (in.mod == 3) {
                throw CpuFault.ud();
            }
            c.writeRm(in, in.osz == 8 ? 8 : 4, c.readReg(in, in.osz == 8 ? 8 : 4));
            return;
        }
        checkSse(c);
        int p = prefix(in);
        if (((b >= 0x60 && b <= 0x7f) || b >= 0xd0 || b == 0xc4 || b == 0xc5) && p == 0 && b != 0x77) {
            throw c.unknown(in); // MMX
        }
        long[] t = c.fpu.tmp;
        switch (b) {
            case 0x10, 0x11, 0x12, 0x13, 0x16, 0x17, 0x28, 0x29, 0x2b, 0x50, 0x6e, 0x6f, 0x7e, 0x7f, 0xd6, 0xd7, 0xe7, 0xc5, 0xc4 ->
                    SseMove.exec(c, in, b, p, t);
            case 0x14, 0x15, 0x54, 0x55, 0x56, 0x57, 0x70, 0xc6 -> SseMove.shuffle(c, in, b, p, t);
            case 0x2a, 0x2c, 0x2d, 0x2e, 0x2f, 0x51, 0x58, 0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0xc2, 0xe6, 0x52, 0x53 ->
                    SseFloat.exec(c, in, b, p, t);
            default -> SseInt.exec(c, in, b, p, t);
        }
    }
}
