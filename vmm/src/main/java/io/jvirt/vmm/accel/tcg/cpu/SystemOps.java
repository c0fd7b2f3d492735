package io.jvirt.vmm.accel.tcg.cpu;

/**
 * System instructions: flags (PUSHF/POPF/CLI/STI), port I/O, descriptor tables (group 6/7),
 * control and debug registers, MSRs, the TSC, and group 15 (FXSAVE, fences, CLFLUSH).
 */
final class SystemOps {
    private SystemOps() {
    }

    static void needCpl0(Cpu c) {
        if (c.cpl != 0) {
            throw CpuFault.gp(0);
        }
    }

    private static int iopl(Cpu c) {
        return (int) (c.flags >>> 12) & 3;
    }

    static void pushf(Cpu c, Insn in) {
        c.push(in.osz, c.flags & ~(Cpu.RF | Cpu.VM));
    }

    static void popf(Cpu c, Insn in) {
        long v = c.pop(in.osz);
        long m = in.osz == 2 ? 0xffffL : 0x3f7fd5L;
        m &= ~(Cpu.VM | Cpu.RF);
        if ((c.cr0 & Cpu.CR0_PE) != 0) {
            if (c.cpl > 0) {
                m &= ~Cpu.IOPL;
            }
            if (c.cpl > iopl(c)) {
                m &= ~Cpu.IF;
            }
        }
        c.flags = (c.flags & ~m) | (v & m & 0x3f7fd5L) | 2;
        c.endBlock = true;
    }

    static void cli(Cpu c) {
        if ((c.cr0 & Cpu.CR0_PE) != 0 && c.cpl > iopl(c)) {
            throw CpuFault.gp(0);
        }
        c.flags &= ~Cpu.IF;
    }

    static void sti(Cpu c) {
        if ((c.cr0 & Cpu.CR0_PE) != 0 && c.cpl > iopl(c)) {
            throw CpuFault.gp(0);
        }
        if ((c.flags & Cpu.IF) == 0) {
            c.shadow = true; // SDM STI: interrupts are recognized after the next instruction
        }
        c.flags |= Cpu.IF;
        c.endBlock = true;
    }

    /** I/O privilege: CPL <= IOPL, else the TSS I/O permission bitmap (SDM vol. 1 §19.5). */
    static void checkIo(Cpu c, int port, int size) {
        if ((c.cr0 & Cpu.CR0_PE) == 0 || c.cpl <= iopl(c)) {
            return;
        }
        if (c.trLimit < 0x67) {
            throw CpuFault.gp(0);
        }
        int bitmap = c.mmu.read16(c.trBase + 0x66);
        long at = bitmap + (port >>> 3);
        if (at + 1 > c.trLimit) {
            throw CpuFault.gp(0);
        }
        int bits = c.mmu.read16(c.trBase + at);
        if (((bits >>> (port & 7)) & ((1 << size) - 1)) != 0) {
            throw CpuFault.gp(0);
        }
    }

    static void io(Cpu c, Insn in) {
        int op = in.op;
        int size = (op & 1) == 0 ? 1 : Math.min(in.osz, 4);
        int port = op >= 0xec ? (int) c.r[Cpu.RDX] & 0xffff : (int) in.imm & 0xff;
        checkIo(c, port, size);
        boolean out = (op & 2) != 0;
        try {
            if (out) {
                c.pio.write(port, size, c.r[0] & Cpu.mask(size));
            } else {
                c.setReg(0, size, c.pio.read(port, size));
            }
        } catch (RuntimeException e) {
            System.getLogger(SystemOps.class.getName()).log(System.Logger.Level.WARNING,
                    "port 0x" + Integer.toHexString(port) + " access failed: " + e);
            if (!out) {
                c.setReg(0, size, -1);
            }
        }
    }

    // ---- group 6: SLDT, STR, LLDT, LTR, VERR, VERW ----

    static void group6(Cpu c, Insn in) {
        if ((c.cr0 & Cpu.CR0_PE) == 0) {
            throw CpuFault.ud();
        }
        switch (in.reg & 7) {
            case 0 -> c.writeRm(in, in.mod == 3 ? in.osz : 2, c.ldtrSel);
            case 1 -> c.writeRm(in, in.mod == 3 ? in.osz : 2, c.trSel);
            case 2 -> {
                needCpl0(c);
                int s = (int) c.readRm(in, 2);
                if ((s & ~3) == 0) {
                    c.ldtrSel = s;
                    c.ldtrBase = 0;
                    c.ldtrLimit = 0;
                    return;
                }
                long d = Protection.descriptor(c, s & ~4, CpuFault.GP);
                if (((d >>> 40) & 0x1f) != 2) {
                    throw CpuFault.gp(s & 0xfffc);
                }
                long base = Protection.descBase(d);
                if ((c.efer & Cpu.EFER_LMA) != 0) {
                    base |= (Protection.readSys64(c, c.gdtBase + (s & ~7) + 8) & 0xffffffffL) << 32;
                }
                c.ldtrSel = s;
                c.ldtrBase = base;
                c.ldtrLimit = Protection.descLimit(d);
            }
            case 3 -> {
                needCpl0(c);
                int s = (int) c.readRm(in, 2);
                if ((s & ~3) == 0 || (s & 4) != 0) {
                    throw CpuFault.gp(s & 0xfffc);
                }
                long d = Protection.descriptor(c, s, CpuFault.GP);
                int type = (int) (d >>> 40) & 0x1f;
                if (type != 9 && type != 1) {
                    throw CpuFault.gp(s & 0xfffc);
                }
                long base = Protection.descBase(d);
                if ((c.efer & Cpu.EFER_LMA) != 0) {
                    base |= (Protection.readSys64(c, c.gdtBase + (s & ~7) + 8) & 0xffffffffL) << 32;
                }
                Protection.writeSys(c, c.gdtBase + (s & ~7) + 5, 1, (d >>> 40) | 2); // busy
                c.trSel = s;
                c.trBase = base;
                c.trLimit = Protection.descLimit(d);
                c.trAttr = Protection.descAttr(d) | 2;
            }
            case 4, 5 -> {
                int s = (int) c.readRm(in, 2);
                boolean ok = false;
                try {
                    if ((s & ~3) != 0) {
                        long d = Protection.descriptor(c, s, CpuFault.GP);
                        int attr = Protection.descAttr(d);
                        boolean code = (attr & 8) != 0;
                        ok = (attr & 0x10) != 0 && ((in.reg & 7) == 4 ? (!code || (attr & 2) != 0) : (!code && (attr & 2) != 0));
                    }
                } catch (CpuFault f) {
                    ok = false;
                }
                c.flags = ok ? c.flags | Cpu.ZF : c.flags & ~Cpu.ZF;
            }
            default -> throw c.unknown(in);
        }
    }

    static void larLsl(Cpu c, Insn in) {
        int s = (int) c.readRm(in, 2);
        long d;
        try {
            if ((s & ~3) == 0) {
                c.flags &= ~Cpu.ZF;
                return;
            }
            d = Protection.descriptor(c, s, CpuFault.GP);
        } catch (CpuFault f) {
            c.flags &= ~Cpu.ZF;
            return;
        }
        int attr = Protection.descAttr(d);
        int dpl = (attr >> 5) & 3;
        boolean conforming = (attr & 0x1c) == 0x1c;
        if (!conforming && (dpl < c.cpl || dpl < (s & 3))) {
            c.flags &= ~Cpu.ZF;
            return;
        }
        if ((in.op & 0xff) == 0x02) {
            c.writeReg(in, in.osz, (d >>> 32) & 0x00f0ff00L);
        } else {
            c.writeReg(in, in.osz, Protection.descLimit(d) & 0xffffffffL);
        }
        c.flags |= Cpu.ZF;
    }

    // ---- group 7 ----

    static void group7(Cpu c, Insn in) {
        int r = in.reg & 7;
        if (in.mod == 3) {
            int rm = in.rm & 7;
            switch (r) {
                case 1 -> {
                    if (rm == 0 || rm == 1) { // MONITOR / MWAIT: not advertised
                        throw CpuFault.ud();
                    }
                    if (rm == 2 || rm == 3) { // CLAC / STAC: SMAP not advertised
                        throw CpuFault.ud();
                    }
                    throw c.unknown(in);
                }
                case 4 -> c.writeRm(in, in.osz, c.cr0 & 0xffff);
                case 6 -> lmsw(c, (int) c.readRm(in, 2));
                case 7 -> {
                    if (rm == 0 && c.mode == 64) { // SWAPGS
                        needCpl0(c);
                        long t = c.sbase[Cpu.GS];
                        c.sbase[Cpu.GS] = c.msrs.kernelGsBase;
                        c.msrs.kernelGsBase = t;
                    } else if (rm == 1) { // RDTSCP
                        rdtsc(c);
                        c.r[Cpu.RCX] = c.msrs.tscAux & 0xffffffffL;
                    } else {
                        throw c.unknown(in);
                    }
                }
                default -> throw c.unknown(in);
            }
            return;
        }
        long lin = c.addr(in);
        int baseSize = c.mode == 64 ? 8 : 4;
        switch (r) {
            case 0 -> {
                c.mmu.write(lin, 2, c.gdtLimit);
                c.mmu.write(lin + 2, baseSize, c.gdtBase);
            }
            case 1 -> {
                c.mmu.write(lin, 2, c.idtLimit);
                c.mmu.write(lin + 2, baseSize, c.idtBase);
            }
            case 2, 3 -> {
                needCpl0(c);
                int limit = c.mmu.read16(lin);
                long base = c.mmu.read(lin + 2, baseSize);
                if (c.mode != 64 && in.osz == 2) {
                    base &= 0xffffff;
                }
                if (r == 2) {
                    c.gdtBase = base;
                    c.gdtLimit = limit;
                } else {
                    c.idtBase = base;
                    c.idtLimit = limit;
                }
            }
            case 4 -> c.mmu.write(lin, 2, c.cr0 & 0xffff);
            case 6 -> lmsw(c, c.mmu.read16(lin));
            case 7 -> {
                needCpl0(c);
                c.mmu.invlpg(lin);
                c.endBlock = true;
            }
            default -> throw c.unknown(in);
        }
    }

    private static void lmsw(Cpu c, int v) {
        needCpl0(c);
        long nv = (c.cr0 & ~0xeL) | (v & 0xf) | (c.cr0 & 1); // cannot clear PE
        setCr0(c, nv);
    }

    // ---- control / debug registers ----

    static void movCr(Cpu c, Insn in) {
        needCpl0(c);
        int n = in.reg;
        if ((in.pfx & Insn.PLOCK) != 0 && n == 0) {
            n = 8; // AMD alternate CR8 encoding
        }
        boolean toCr = (in.op & 2) != 0;
        int size = c.mode == 64 ? 8 : 4;
        if (!toCr) {
            long v = switch (n) {
                case 0 -> c.cr0;
                case 2 -> c.cr2;
                case 3 -> c.cr3;
                case 4 -> c.cr4;
                case 8 -> (c.apic.taskPriority() >>> 4) & 0xf; // CR8 = TPR[7:4], SDM vol. 3A §11.8.6.1
                default -> throw CpuFault.ud();
            };
            c.setReg(in.rm, size, v);
            return;
        }
        long v = c.reg(in.rm, size);
        switch (n) {
            case 0 -> setCr0(c, v);
            case 2 -> c.cr2 = v;
            case 3 -> {
                c.cr3 = v & 0x000f_ffff_ffff_ffffL;
                c.mmu.flushNonGlobal();
            }
            case 4 -> {
                if ((v & ~Cpuid.CR4_SUPPORTED) != 0) {
                    throw CpuFault.gp(0);
                }
                if ((c.efer & Cpu.EFER_LMA) != 0 && (v & Cpu.CR4_PAE) == 0) {
                    throw CpuFault.gp(0);
                }
                c.cr4 = v;
                c.mmu.flush();
            }
            case 8 -> {
                if ((v & ~0xfL) != 0) {
                    throw CpuFault.gp(0); // bits 63:4 are reserved (SDM vol. 2B, MOV to CR8)
                }
                c.apic.setTaskPriority((int) v << 4); // TPR[7:4] = CR8, TPR[3:0] = 0 (§11.8.6.1)
            }
            default -> throw CpuFault.ud();
        }
        c.endBlock = true;
    }

    static void setCr0(Cpu c, long v) {
        v |= Cpu.CR0_ET;
        if ((v & Cpu.CR0_PG) != 0 && (v & Cpu.CR0_PE) == 0) {
            throw CpuFault.gp(0);
        }
        boolean pgBefore = (c.cr0 & Cpu.CR0_PG) != 0;
        boolean pgAfter = (v & Cpu.CR0_PG) != 0;
        if (!pgBefore && pgAfter && (c.efer & Cpu.EFER_LME) != 0) {
            if ((c.cr4 & Cpu.CR4_PAE) == 0) {
                throw CpuFault.gp(0);
            }
            c.efer |= Cpu.EFER_LMA;
        } else if (pgBefore && !pgAfter) {
            c.efer &= ~Cpu.EFER_LMA;
        }
        c.cr0 = v & 0xe005003fL;
        c.mmu.flush();
        c.updateMode();
    }

    static void movDr(Cpu c, Insn in) {
        needCpl0(c);
        int n = in.reg & 7;
        if (n == 4 || n == 5) {
            n += 2;
        }
        int size = c.mode == 64 ? 8 : 4;
        if ((in.op & 2) == 0) {
            c.setReg(in.rm, size, c.dr[n]);
        } else {
            long v = c.reg(in.rm, size);
            c.dr[n] = n == 6 ? (v | 0xffff0ff0L) & 0xffffffffL : n == 7 ? (v | 0x400) & 0xffffffffL : v;
        }
    }

    // ---- MSRs and TSC ----

    static void rdmsr(Cpu c) {
        needCpl0(c);
        long v = c.msrs.read((int) c.r[Cpu.RCX]);
        c.r[0] = v & 0xffffffffL;
        c.r[Cpu.RDX] = v >>> 32;
    }

    static void wrmsr(Cpu c) {
        needCpl0(c);
        long v = (c.r[0] & 0xffffffffL) | (c.r[Cpu.RDX] << 32);
        c.msrs.write((int) c.r[Cpu.RCX], v);
        c.endBlock = true;
    }

    static void rdtsc(Cpu c) {
        if ((c.cr4 & 4) != 0 && c.cpl != 0) { // CR4.TSD
            throw CpuFault.gp(0);
        }
        long t = c.msrs.tsc();
        c.r[0] = t & 0xffffffffL;
        c.r[Cpu.RDX] = t >>> 32;
    }

    // ---- group 15 ----

    static void group15(Cpu c, Insn in) {
        int r = in.reg & 7;
        if (in.mod == 3) {
            if (r >= 5 && (in.pfx & (Insn.PF3 | Insn.P66 | Insn.PF2)) == 0) {
                return; // LFENCE / MFENCE / SFENCE: our memory accesses are already ordered enough
            }
            throw c.unknown(in); // RDFSBASE & co: FSGSBASE not advertised
        }
        switch (r) {
            case 0 -> Fpu.fxsave(c, c.addr(in), in.osz == 8);
            case 1 -> Fpu.fxrstor(c, c.addr(in), in.osz == 8);
            case 2 -> {
                Sse.checkSse(c);
                long v = c.mmu.read32(c.addr(in)) & 0xffffffffL;
                if ((v & ~0xffffL) != 0) {
                    throw CpuFault.gp(0);
                }
                c.fpu.mxcsr = (int) v;
            }
            case 3 -> {
                Sse.checkSse(c);
                c.mmu.write32(c.addr(in), c.fpu.mxcsr);
            }
            case 7 -> c.mmu.translate(c.addr(in), Mmu.READ); // CLFLUSH (66: CLFLUSHOPT)
            default -> throw c.unknown(in); // XSAVE family not advertised
        }
    }
}
