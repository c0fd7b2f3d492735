package io.jvirt.vmm.accel.tcg.cpu;

/**
 * x87 FPU (SDM vol. 1 ch. 8) with registers held as Java doubles (64-bit precision instead of
 * 80), plus the SSE state (XMM registers, MXCSR) and FXSAVE/FXRSTOR (SDM vol. 2A FXSAVE,
 * table 3-53). Covers what the kernel's FPU probe and glibc/busybox use.
 */
final class Fpu {
    final double[] st = new double[8];
    int top;
    int tags; // bit i set: physical register i is empty
    int fcw, fsw;
    int mxcsr;
    /** XMM0–15: xmm[2n] low 64 bits, xmm[2n+1] high. */
    final long[] xmm = new long[32];
    /** Scratch for SSE source operands (vCPU thread only). */
    final long[] tmp = new long[2];

    void reset() {
        fninit();
        mxcsr = 0x1f80;
        java.util.Arrays.fill(xmm, 0);
    }

    void fninit() {
        fcw = 0x37f;
        fsw = 0;
        top = 0;
        tags = 0xff;
        java.util.Arrays.fill(st, 0);
    }

    int status() {
        return (fsw & ~0x3800) | (top << 11);
    }

    double get(int i) {
        return st[(top + i) & 7];
    }

    void set(int i, double v) {
        st[(top + i) & 7] = v;
        tags &= ~(1 << ((top + i) & 7));
    }

    void push(double v) {
        top = (top - 1) & 7;
        st[top] = v;
        tags &= ~(1 << top);
    }

    double pop() {
        double v = st[top];
        tags |= 1 << top;
        top = (top + 1) & 7;
        return v;
    }

    static void checkAvailable(Cpu c) {
        if ((c.cr0 & (Cpu.CR0_EM | Cpu.CR0_TS)) != 0) {
            throw CpuFault.of(CpuFault.NM);
        }
    }

    static void fwait(Cpu c) {
        if ((c.cr0 & (Cpu.CR0_MP | Cpu.CR0_TS)) == (Cpu.CR0_MP | Cpu.CR0_TS)) {
            throw CpuFault.of(CpuFault.NM);
        }
    }

    static void exec(Cpu c, Insn in) {
        checkAvailable(c);
        if (in.mod == 3) {
            FpuOps.register(c, c.fpu, in);
        } else {
            FpuOps.memory(c, c.fpu, in, c.addr(in));
        }
    }

    // ---- 80-bit extended format ----

    static void writeExtended(Cpu c, long lin, double d) {
        long bits = Double.doubleToRawLongBits(d);
        int sign = (int) (bits >>> 63);
        int exp = (int) (bits >>> 52) & 0x7ff;
        long frac = bits & 0xfffffffffffffL;
        long mant;
        int e;
        if (exp == 0 && frac == 0) {
            mant = 0;
            e = 0;
        } else if (exp == 0x7ff) {
            e = 0x7fff;
            mant = (1L << 63) | (frac << 11);
        } else if (exp == 0) {
            int shift = Long.numberOfLeadingZeros(frac) - 11;
            mant = frac << (11 + shift);
            e = 1 - 1023 + 16383 - shift;
        } else {
            mant = (1L << 63) | (frac << 11);
            e = exp - 1023 + 16383;
        }
        c.mmu.write64(lin, mant);
        c.mmu.write16(lin + 8, (sign << 15) | e);
    }

    static double readExtended(Cpu c, long lin) {
        long mant = c.mmu.read64(lin);
        int se = c.mmu.read16(lin + 8);
        return extendedToDouble(mant, se);
    }

    static double extendedToDouble(long mant, int se) {
        boolean neg = (se & 0x8000) != 0;
        int e = se & 0x7fff;
        double v;
        if (e == 0 && mant == 0) {
            v = 0;
        } else if (e == 0x7fff) {
            v = (mant << 1) == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else {
            // value = mant / 2^63 * 2^(e - 16383)
            double m = (mant >>> 11) * 0x1p-52; // top 53 bits
            v = Math.scalb(m, e - 16383);
        }
        return neg ? -v : v;
    }

    // ---- FXSAVE / FXRSTOR ----

    static void fxsave(Cpu c, long lin, boolean rexW) {
        checkAvailable(c);
        if ((lin & 15) != 0) {
            throw CpuFault.gp(0);
        }
        Fpu f = c.fpu;
        c.mmu.translate(lin, Mmu.WRITE);
        c.mmu.translate(lin + 511, Mmu.WRITE);
        c.mmu.write16(lin, f.fcw);
        c.mmu.write16(lin + 2, f.status());
        int ftw = 0;
        for (int i = 0; i < 8; i++) {
            if ((f.tags & (1 << i)) == 0) {
                ftw |= 1 << i;
            }
        }
        c.mmu.write8(lin + 4, ftw);
        c.mmu.write8(lin + 5, 0);
        c.mmu.write16(lin + 6, 0);
        c.mmu.write64(lin + 8, 0);
        c.mmu.write64(lin + 16, 0);
        c.mmu.write32(lin + 24, f.mxcsr);
        c.mmu.write32(lin + 28, 0xffff); // MXCSR_MASK
        for (int i = 0; i < 8; i++) {
            writeExtended(c, lin + 32 + 16L * i, f.st[(f.top + i) & 7]);
            c.mmu.write16(lin + 32 + 16L * i + 10, 0);
            c.mmu.write32(lin + 32 + 16L * i + 12, 0);
        }
        int n = c.mode == 64 ? 16 : 8;
        for (int i = 0; i < n; i++) {
            c.mmu.write64(lin + 160 + 16L * i, f.xmm[2 * i]);
            c.mmu.write64(lin + 168 + 16L * i, f.xmm[2 * i + 1]);
        }
    }

    static void fxrstor(Cpu c, long lin, boolean rexW) {
        checkAvailable(c);
        if ((lin & 15) != 0) {
            throw CpuFault.gp(0);
        }
        Fpu f = c.fpu;
        int mx = c.mmu.read32(lin + 24);
        if ((mx & ~0xffff) != 0) {
            throw CpuFault.gp(0);
        }
        f.fcw = c.mmu.read16(lin);
        int sw = c.mmu.read16(lin + 2);
        f.top = (sw >> 11) & 7;
        f.fsw = sw & ~0x3800;
        int ftw = c.mmu.read8(lin + 4);
        f.tags = 0;
        for (int i = 0; i < 8; i++) {
            if ((ftw & (1 << i)) == 0) {
                f.tags |= 1 << i;
            }
        }
        f.mxcsr = mx;
        for (int i = 0; i < 8; i++) {
            f.st[(f.top + i) & 7] = readExtended(c, lin + 32 + 16L * i);
        }
        int n = c.mode == 64 ? 16 : 8;
        for (int i = 0; i < n; i++) {
            f.xmm[2 * i] = c.mmu.read64(lin + 160 + 16L * i);
            f.xmm[2 * i + 1] = c.mmu.read64(lin + 168 + 16L * i);
        }
    }
}
