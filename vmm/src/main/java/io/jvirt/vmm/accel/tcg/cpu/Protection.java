package io.jvirt.vmm.accel.tcg.cpu;

/**
 * Segmentation and control transfers between privilege levels (Intel SDM vol. 3A ch. 3, 5, 6):
 * segment register loads with descriptor checks, far JMP/CALL/RET, interrupt and exception
 * delivery (real-mode IVT, 32-bit and 64-bit IDT gates, IST, error codes, #DF and triple fault),
 * IRET, SYSCALL/SYSRET.
 */
final class Protection {
    static final int EXTERNAL = 1, SOFTWARE = 2, SOFT_EXCEPTION = 4;

    private Protection() {
    }

    // ---- descriptors ----

    /** Reads the 8-byte descriptor for {@code selector} (GDT or LDT), supervisor access. */
    static long descriptor(Cpu c, int selector, int vectorOnError) {
        boolean ldt = (selector & 4) != 0;
        long base = ldt ? c.ldtrBase : c.gdtBase;
        int limit = ldt ? c.ldtrLimit : c.gdtLimit;
        int index = selector & ~7;
        if (index + 7 > limit) {
            throw CpuFault.withError(vectorOnError, selector & 0xfffc);
        }
        return readSys64(c, base + index);
    }

    static long readSys64(Cpu c, long lin) {
        int u = c.mmu.user;
        c.mmu.user = 0;
        try {
            return c.mmu.read64(lin);
        } finally {
            c.mmu.user = u;
        }
    }

    static void writeSys(Cpu c, long lin, int size, long v) {
        int u = c.mmu.user;
        c.mmu.user = 0;
        try {
            c.mmu.write(lin, size, v);
        } finally {
            c.mmu.user = u;
        }
    }

    static long descBase(long d) {
        return ((d >>> 16) & 0xffffff) | ((d >>> 32) & 0xff000000L);
    }

    static int descLimit(long d) {
        int limit = (int) ((d & 0xffff) | ((d >>> 32) & 0xf0000));
        return (d & (1L << 55)) != 0 ? (limit << 12) | 0xfff : limit;
    }

    static int descAttr(long d) {
        return (int) (d >>> 40) & 0xf0ff;
    }

    private static void setAccessed(Cpu c, int selector, long d) {
        if ((d & (1L << 40)) == 0) {
            long base = (selector & 4) != 0 ? c.ldtrBase : c.gdtBase;
            writeSys(c, base + (selector & ~7) + 5, 1, (d >>> 40) | 1);
        }
    }

    /** MOV/POP/LxS to a data segment register or SS (SDM vol. 3A §5.4.1, MOV instruction). */
    static void loadSeg(Cpu c, int s, int selector) {
        selector &= 0xffff;
        if ((c.cr0 & Cpu.CR0_PE) == 0 || (c.flags & Cpu.VM) != 0) {
            c.setSegReal(s, selector);
            return;
        }
        if ((selector & ~3) == 0) {
            if (s == Cpu.SS && !(c.mode == 64 && c.cpl != 3)) {
                throw CpuFault.gp(0);
            }
            // Null selector: base 0 in 64-bit mode for FS/GS (SDM), unusable otherwise.
            c.setSegment(s, selector, 0, 0, 0);
            if (s == Cpu.SS) {
                c.sattr[Cpu.SS] = (c.cpl << 5) | 0x4000;
            }
            return;
        }
        long d = descriptor(c, selector, CpuFault.GP);
        int attr = descAttr(d);
        boolean code = (attr & 8) != 0;
        boolean sys = (attr & 0x10) == 0;
        int dpl = (attr >> 5) & 3;
        int rpl = selector & 3;
        if (s == Cpu.SS) {
            if (sys || code || (attr & 2) == 0 || rpl != c.cpl || dpl != c.cpl) {
                throw CpuFault.gp(selector & 0xfffc);
            }
            if ((attr & 0x80) == 0) {
                throw CpuFault.withError(CpuFault.SS, selector & 0xfffc);
            }
        } else {
            if (sys || (code && (attr & 2) == 0)) {
                throw CpuFault.gp(selector & 0xfffc);
            }
            boolean conforming = code && (attr & 4) != 0;
            if (!conforming && (dpl < c.cpl || dpl < rpl)) {
                throw CpuFault.gp(selector & 0xfffc);
            }
            if ((attr & 0x80) == 0) {
                throw CpuFault.withError(CpuFault.NP, selector & 0xfffc);
            }
        }
        setAccessed(c, selector, d);
        c.setSegment(s, selector, descBase(d), descLimit(d), attr | 1);
    }

    /** Loads CS for a far transfer to privilege {@code newCpl} (checks done by the caller). */
    private static void loadCs(Cpu c, int selector, long d, int newCpl) {
        setAccessed(c, selector, d);
        c.setSegment(Cpu.CS, (selector & 0xfffc) | newCpl, descBase(d), descLimit(d), descAttr(d) | 1);
    }

    private static long codeDescriptor(Cpu c, int selector) {
        if ((selector & ~3) == 0) {
            throw CpuFault.gp(0);
        }
        long d = descriptor(c, selector, CpuFault.GP);
        int attr = descAttr(d);
        if ((attr & 0x18) != 0x18) {
            throw CpuFault.gp(selector & 0xfffc); // call gates / task gates not supported
        }
        if ((attr & 0x80) == 0) {
            throw CpuFault.withError(CpuFault.NP, selector & 0xfffc);
        }
        return d;
    }

    static void farJump(Cpu c, int selector, long offset) {
        if ((c.cr0 & Cpu.CR0_PE) == 0 || (c.flags & Cpu.VM) != 0) {
            c.setSegReal(Cpu.CS, selector);
            c.rip = offset & 0xffffffffL;
            c.updateMode();
            return;
        }
        long d = codeDescriptor(c, selector);
        loadCs(c, selector, d, c.cpl);
        c.rip = c.mode == 64 ? offset : offset & 0xffffffffL;
    }

    static void farCall(Cpu c, int selector, long offset, int osz) {
        int oldCs = c.sel[Cpu.CS];
        long oldIp = c.rip;
        if ((c.cr0 & Cpu.CR0_PE) == 0 || (c.flags & Cpu.VM) != 0) {
            c.push(osz, oldCs);
            c.push(osz, oldIp);
            c.setSegReal(Cpu.CS, selector);
            c.rip = offset & Cpu.mask(osz);
            return;
        }
        long d = codeDescriptor(c, selector);
        c.push(osz, oldCs);
        c.push(osz, oldIp);
        loadCs(c, selector, d, c.cpl);
        c.rip = c.mode == 64 ? offset : offset & 0xffffffffL;
    }

    /** RETF / LRET (SDM vol. 2B RET): same-privilege and return to an outer level. */
    static void farReturn(Cpu c, int osz, int release) {
        long ip = c.pop(osz);
        int selector = (int) c.pop(osz) & 0xffff;
        if ((c.cr0 & Cpu.CR0_PE) == 0 || (c.flags & Cpu.VM) != 0) {
            c.setSegReal(Cpu.CS, selector);
            c.rip = ip & Cpu.mask(osz);
            c.setSp(c.sp() + release);
            return;
        }
        long d = codeDescriptor(c, selector);
        int rpl = selector & 3;
        if (rpl < c.cpl) {
            throw CpuFault.gp(selector & 0xfffc);
        }
        c.setSp(c.sp() + release);
        if (rpl > c.cpl) {
            long sp = c.pop(osz);
            int ss = (int) c.pop(osz) & 0xffff;
            loadCs(c, selector, d, rpl);
            loadSeg(c, Cpu.SS, ss);
            c.setReg(Cpu.RSP, osz, sp + release);
        } else {
            loadCs(c, selector, d, rpl);
        }
        c.rip = c.mode == 64 ? ip : ip & 0xffffffffL;
    }

    // ---- interrupts and exceptions ----

    /** Delivers a fault raised by an instruction; escalates to #DF and triple fault. */
    static void fault(Cpu c, CpuFault f) {
        try {
            deliver(c, f.vector, f.hasError, f.errorCode, 0);
        } catch (CpuFault second) {
            if (f.vector == CpuFault.DF) {
                c.tripleFault = true;
                return;
            }
            boolean firstContributory = contributory(f.vector) || f.vector == CpuFault.PF;
            boolean secondSerious = contributory(second.vector) || (second.vector == CpuFault.PF && f.vector == CpuFault.PF);
            if (firstContributory && (secondSerious || second.vector == CpuFault.PF)) {
                try {
                    deliver(c, CpuFault.DF, true, 0, 0);
                } catch (CpuFault third) {
                    c.tripleFault = true;
                }
            } else {
                fault(c, second);
            }
        }
    }

    private static boolean contributory(int v) {
        return v == CpuFault.DE || (v >= CpuFault.TS && v <= CpuFault.GP);
    }

    /** INT n / INT3 / INTO / INT1: RIP already points past the instruction. */
    static void softInt(Cpu c, int vector, boolean exceptionLike) {
        deliver(c, vector, false, 0, exceptionLike ? SOFT_EXCEPTION : SOFTWARE);
        c.endBlock = true;
    }

    /** Delivers {@code vector} with the return address in {@code c.rip}. */
    static void deliver(Cpu c, int vector, boolean hasError, int error, int kind) {
        c.endBlock = true;
        c.halted = false;
        if ((c.cr0 & Cpu.CR0_PE) == 0) {
            realMode(c, vector);
            return;
        }
        int ext = (kind & EXTERNAL) != 0 ? 1 : 0;
        boolean long64 = (c.efer & Cpu.EFER_LMA) != 0;
        int gateSize = long64 ? 16 : 8;
        if (vector * gateSize + gateSize - 1 > c.idtLimit) {
            throw CpuFault.gp(vector * 8 + 2 + ext);
        }
        long lo = readSys64(c, c.idtBase + (long) vector * gateSize);
        long hi = long64 ? readSys64(c, c.idtBase + (long) vector * gateSize + 8) : 0;
        int type = (int) (lo >>> 40) & 0x1f;
        int gdpl = (int) (lo >>> 45) & 3;
        if ((kind & (SOFTWARE | SOFT_EXCEPTION)) != 0 && gdpl < c.cpl) {
            throw CpuFault.gp(vector * 8 + 2);
        }
        if ((lo & (1L << 47)) == 0) {
            throw CpuFault.withError(CpuFault.NP, vector * 8 + 2 + ext);
        }
        boolean trap = (type & 1) != 0;
        if ((type & 0xe) != 0xe) {
            throw CpuFault.gp(vector * 8 + 2 + ext); // task gates / 16-bit gates unsupported
        }
        boolean gate32 = (type & 8) != 0;
        int selector = (int) (lo >>> 16) & 0xffff;
        long offset = (lo & 0xffff) | ((lo >>> 32) & 0xffff0000L) | (hi << 32);
        if ((selector & ~3) == 0) {
            throw CpuFault.gp(ext);
        }
        long d = descriptor(c, selector, CpuFault.GP);
        int attr = descAttr(d);
        if ((attr & 0x18) != 0x18) {
            throw CpuFault.gp((selector & 0xfffc) + ext);
        }
        if ((attr & 0x80) == 0) {
            throw CpuFault.withError(CpuFault.NP, (selector & 0xfffc) + ext);
        }
        int dpl = (attr >> 5) & 3;
        boolean conforming = (attr & 4) != 0;
        int newCpl = conforming ? c.cpl : dpl;
        long oldFlags = c.flags;
        int oldCs = c.sel[Cpu.CS];
        long oldRip = c.rip;
        int oldSs = c.sel[Cpu.SS];
        long oldRsp = c.r[Cpu.RSP];
        if (long64) {
            int ist = (int) (lo >>> 32) & 7;
            long rsp;
            if (ist != 0) {
                rsp = readSys64(c, c.trBase + 0x24 + (ist - 1) * 8L);
            } else if (newCpl < c.cpl) {
                rsp = readSys64(c, c.trBase + 4 + newCpl * 8L);
            } else {
                rsp = c.r[Cpu.RSP];
            }
            rsp &= ~15L;
            long[] frame = hasError ? new long[6] : new long[5];
            int k = 0;
            frame[k++] = oldSs;
            frame[k++] = oldRsp;
            frame[k++] = oldFlags & ~Cpu.RF;
            frame[k++] = oldCs;
            frame[k++] = oldRip;
            if (hasError) {
                frame[k] = error & 0xffffffffL;
            }
            int u = c.mmu.user;
            c.mmu.user = newCpl == 3 ? 1 : 0;
            try {
                for (long v : frame) {
                    rsp -= 8;
                    c.mmu.write64(rsp, v);
                }
            } finally {
                c.mmu.user = u;
            }
            if (newCpl < c.cpl) {
                c.setSegment(Cpu.SS, newCpl, 0, 0, (newCpl << 5) | 0x4000);
            }
            loadCs(c, selector, d, newCpl);
            c.r[Cpu.RSP] = rsp;
            c.rip = offset;
        } else {
            int size = gate32 ? 4 : 2;
            if (newCpl < c.cpl) {
                long rsp = c.mmu.read32(c.trBase + 4 + newCpl * 8L) & 0xffffffffL;
                int ss = c.mmu.read16(c.trBase + 8 + newCpl * 8L);
                c.cpl = newCpl;
                c.mmu.user = newCpl == 3 ? 1 : 0;
                loadSegForced(c, Cpu.SS, ss);
                c.r[Cpu.RSP] = rsp;
                c.push(size, oldSs);
                c.push(size, oldRsp);
            }
            c.push(size, oldFlags);
            c.push(size, oldCs);
            c.push(size, oldRip);
            if (hasError) {
                c.push(size, error);
            }
            loadCs(c, selector, d, newCpl);
            c.rip = offset & 0xffffffffL;
        }
        c.flags &= ~(Cpu.TF | Cpu.NT | Cpu.RF | Cpu.VM);
        if (!trap) {
            c.flags &= ~Cpu.IF;
        }
        c.updateMode();
    }

    private static void loadSegForced(Cpu c, int s, int selector) {
        long d = descriptor(c, selector, CpuFault.TS);
        c.setSegment(s, selector, descBase(d), descLimit(d), descAttr(d));
    }

    private static void realMode(Cpu c, int vector) {
        if (vector * 4 + 3 > c.idtLimit) {
            c.tripleFault = true;
            return;
        }
        long entry = c.mmu.read32(c.idtBase + vector * 4L) & 0xffffffffL;
        c.push(2, c.flags);
        c.push(2, c.sel[Cpu.CS]);
        c.push(2, c.rip);
        c.flags &= ~(Cpu.IF | Cpu.TF | Cpu.AC | Cpu.RF);
        c.setSegReal(Cpu.CS, (int) (entry >>> 16));
        c.rip = entry & 0xffff;
    }

    /** IRET/IRETD/IRETQ (SDM vol. 2A IRET): real mode, same privilege, outer privilege, 64-bit. */
    static void iret(Cpu c, int osz) {
        c.endBlock = true;
        c.nmiBlocked = false;
        if ((c.cr0 & Cpu.CR0_PE) == 0) {
            long ip = c.pop(osz);
            int cs = (int) c.pop(osz);
            long fl = c.pop(osz);
            c.setSegReal(Cpu.CS, cs);
            c.rip = ip & 0xffff;
            setFlags(c, fl, osz, true);
            return;
        }
        if ((c.flags & Cpu.NT) != 0 && (c.efer & Cpu.EFER_LMA) == 0) {
            throw CpuFault.gp(0); // task return unsupported
        }
        long ip = c.pop(osz);
        int cs = (int) c.pop(osz) & 0xffff;
        long fl = c.pop(osz);
        int rpl = cs & 3;
        long d = codeDescriptor(c, cs);
        if (rpl < c.cpl) {
            throw CpuFault.gp(cs & 0xfffc);
        }
        boolean popStack = c.mode == 64 || rpl > c.cpl;
        long sp = 0;
        int ss = 0;
        if (popStack) {
            sp = c.pop(osz);
            ss = (int) c.pop(osz) & 0xffff;
        }
        int oldCpl = c.cpl;
        loadCs(c, cs, d, rpl);
        setFlagsAtCpl(c, fl, osz, oldCpl);
        if (popStack) {
            c.cpl = rpl;
            c.mmu.user = rpl == 3 ? 1 : 0;
            if ((ss & ~3) == 0 && c.mode == 64 && rpl != 3) {
                c.setSegment(Cpu.SS, ss, 0, 0, (rpl << 5) | 0x4000);
            } else {
                loadSeg(c, Cpu.SS, ss);
            }
            c.setReg(Cpu.RSP, osz, sp);
            if (c.mode != 64) {
                c.setReg(Cpu.RSP, 4, sp);
            }
        }
        c.rip = c.mode == 64 ? ip : ip & 0xffffffffL;
        if (rpl > oldCpl) {
            for (int s : new int[]{Cpu.ES, Cpu.DS, Cpu.FS, Cpu.GS}) {
                int a = c.sattr[s];
                boolean conformingCode = (a & 0x1c) == 0x1c;
                if ((a & 0x10) != 0 && !conformingCode && ((a >> 5) & 3) < rpl) {
                    c.setSegment(s, 0, c.sbase[s], 0, 0); // SDM IRET: invalidate data segments
                }
            }
        }
        c.updateMode();
    }

    private static void setFlags(Cpu c, long fl, int osz, boolean all) {
        long m = osz == 2 ? 0xffffL : 0x3f7fd5L;
        c.flags = ((c.flags & ~m) | (fl & m) & 0x3f7fd5L) | 2;
    }

    private static void setFlagsAtCpl(Cpu c, long fl, int osz, int cpl) {
        long m = osz == 2 ? 0xffffL : 0x3f7fd5L;
        m &= ~Cpu.VM;
        if (cpl > 0) {
            m &= ~Cpu.IOPL;
        }
        if (cpl > ((c.flags >> 12) & 3)) {
            m &= ~Cpu.IF;
        }
        c.flags = (c.flags & ~m) | (fl & m & 0x3f7fd5L) | 2;
    }

    // ---- SYSCALL / SYSRET (SDM vol. 2B) ----

    static void syscall(Cpu c) {
        if ((c.efer & Cpu.EFER_SCE) == 0 || (c.efer & Cpu.EFER_LMA) == 0) {
            throw CpuFault.ud();
        }
        int cs = (int) (c.msrs.star >>> 32) & 0xfffc;
        c.r[Cpu.RCX] = c.rip;
        c.r[11] = c.flags & ~Cpu.RF;
        c.flags = (c.flags & ~c.msrs.sfmask & ~Cpu.RF) | 2;
        c.setSegment(Cpu.SS, cs + 8, 0, 0xffffffff, 0xc093);
        c.setSegment(Cpu.CS, cs, 0, 0xffffffff, 0xa09b);
        c.rip = c.mode == 64 ? c.msrs.lstar : c.msrs.cstar;
        c.updateMode();
    }

    static void sysret(Cpu c, Insn in) {
        if ((c.efer & Cpu.EFER_SCE) == 0) {
            throw CpuFault.ud();
        }
        if (c.cpl != 0 || (c.efer & Cpu.EFER_LMA) == 0) {
            throw CpuFault.gp(0);
        }
        int base = (int) (c.msrs.star >>> 48) & 0xffff;
        if (in.osz == 8) {
            long target = c.r[Cpu.RCX];
            if (((target << 16) >> 16) != target) {
                throw CpuFault.gp(0);
            }
            c.setSegment(Cpu.CS, (base + 16) | 3, 0, 0xffffffff, 0xa0fb);
            c.rip = target;
        } else {
            c.setSegment(Cpu.CS, base | 3, 0, 0xffffffff, 0xc0fb);
            c.rip = c.r[Cpu.RCX] & 0xffffffffL;
        }
        c.flags = (c.r[11] & 0x3c7fd7L) | 2;
        c.setSegment(Cpu.SS, (base + 8) | 3, 0, 0xffffffff, 0xc0f3);
        c.updateMode();
    }
}
