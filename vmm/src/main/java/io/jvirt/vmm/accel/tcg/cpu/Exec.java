package io.jvirt.vmm.accel.tcg.cpu;

/**
 * Executes one decoded instruction: dispatch on the opcode to small methods (kept small so
 * the JIT compiles them). One-byte map integer instructions are here; the 0F map in
 * {@link ExecTwo}, strings in {@link Strings}, system instructions in {@link SystemOps},
 * x87 in {@link Fpu}, SSE in {@link Sse}.
 */
final class Exec {
    private Exec() {
    }

    static void exec(Cpu c, Insn in) {
        int op = in.op;
        if (op < 0x40) {
            if ((op & 7) < 6) {
                alu(c, in);
                return;
            }
            legacyLow(c, in);
            return;
        }
        if (op >= 0x100) {
            ExecTwo.exec(c, in);
            return;
        }
        switch (op) {
            case 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47 ->
                    c.setReg(op & 7, in.osz, Alu.inc(c, c.reg(op & 7, in.osz), in.osz));
            case 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f ->
                    c.setReg(op & 7, in.osz, Alu.dec(c, c.reg(op & 7, in.osz), in.osz));
            case 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57 -> {
                int n = (op & 7) | ((in.rex & 1) << 3);
                c.push(in.osz, c.reg(n, in.osz));
            }
            case 0x58, 0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f -> {
                int n = (op & 7) | ((in.rex & 1) << 3);
                long v = c.pop(in.osz);
                c.setReg(n, in.osz, v);
            }
            case 0x60 -> pusha(c, in);
            case 0x61 -> popa(c, in);
            case 0x63 -> {
                if (c.mode != 64) {
                    throw c.unknown(in);
                }
                long v = c.readRm(in, 4);
                c.writeReg(in, in.osz, in.osz == 8 ? (int) v : v);
            }
            case 0x68, 0x6a -> c.push(in.osz, in.imm);
            case 0x69, 0x6b -> c.writeReg(in, in.osz, in.flagsDead ? c.readRm(in, in.osz) * in.imm
                    : imul3(c, c.readRm(in, in.osz), in.imm, in.osz));
            case 0x6c, 0x6d, 0x6e, 0x6f, 0xa4, 0xa5, 0xa6, 0xa7, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf -> Strings.exec(c, in);
            case 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f -> {
                if (Alu.cond(c.flags, op & 15)) {
                    jump(c, in, c.rip + in.imm);
                }
            }
            case 0x80, 0x81, 0x82, 0x83 -> {
                int size = (op & 1) == 0 ? 1 : in.osz;
                aluRm(c, in, in.reg & 7, size, in.imm);
            }
            case 0x84, 0x85 -> {
                if (in.flagsDead) {
                    return;
                }
                int size = (op & 1) == 0 ? 1 : in.osz;
                Alu.logic(c, c.readRm(in, size) & c.readReg(in, size), size);
            }
            case 0x86, 0x87 -> xchg(c, in, (op & 1) == 0 ? 1 : in.osz);
            case 0x88 -> c.writeRm(in, 1, c.readReg(in, 1));
            case 0x89 -> c.writeRm(in, in.osz, c.readReg(in, in.osz));
            case 0x8a -> c.writeReg(in, 1, c.readRm(in, 1));
            case 0x8b -> c.writeReg(in, in.osz, c.readRm(in, in.osz));
            case 0x8c -> {
                int s = in.reg & 7;
                if (s > 5) {
                    throw CpuFault.ud();
                }
                if (in.mod == 3) {
                    c.setReg(in.rm, in.osz, c.sel[s]);
                } else {
                    c.mmu.write(c.addr(in), 2, c.sel[s]);
                }
            }
            case 0x8d -> {
                if (in.mod == 3) {
                    throw CpuFault.ud();
                }
                c.setReg(in.reg, in.osz, c.ea(in));
            }
            case 0x8e -> {
                int s = in.reg & 7;
                if (s == Cpu.CS || s > 5) {
                    throw CpuFault.ud();
                }
                Protection.loadSeg(c, s, (int) c.readRm(in, 2));
                if (s == Cpu.SS) {
                    c.shadow = true;
                }
            }
            case 0x8f -> popRm(c, in);
            case 0x90 -> {
                if ((in.rex & 1) != 0) {
                    xchgAx(c, in, 8);
                }
            }
            case 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97 -> xchgAx(c, in, op & 7);
            case 0x98 -> {
                switch (in.osz) {
                    case 2 -> c.setReg(0, 2, (byte) c.r[0]);
                    case 4 -> c.setReg(0, 4, (short) c.r[0]);
                    default -> c.r[0] = (int) c.r[0];
                }
            }
            case 0x99 -> {
                long s = Alu.sext(c.r[0], in.osz) < 0 ? -1 : 0;
                c.setReg(Cpu.RDX, in.osz, s);
            }
            case 0x9a -> Protection.farCall(c, (int) in.imm2, in.imm, in.osz);
            case 0x9b -> Fpu.fwait(c);
            case 0x9c -> SystemOps.pushf(c, in);
            case 0x9d -> SystemOps.popf(c, in);
            case 0x9e -> c.flags = (c.flags & ~0xd5L) | ((c.r[0] >>> 8) & 0xd5);
            case 0x9f -> c.r[0] = (c.r[0] & ~0xff00L) | ((c.flags & 0xd7) << 8);
            case 0xa0 -> c.setReg(0, 1, c.mmu.read8(c.linear(in.segment(), in.disp)));
            case 0xa1 -> c.setReg(0, in.osz, c.mmu.read(c.linear(in.segment(), in.disp), in.osz));
            case 0xa2 -> c.mmu.write(c.linear(in.segment(), in.disp), 1, c.r[0]);
            case 0xa3 -> c.mmu.write(c.linear(in.segment(), in.disp), in.osz, c.r[0]);
            case 0xa8 -> Alu.logic(c, c.r[0] & in.imm, 1);
            case 0xa9 -> Alu.logic(c, c.r[0] & in.imm, in.osz);
            case 0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7 -> c.setReg8(in, (op & 7) | ((in.rex & 1) << 3), in.imm);
            case 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf -> c.setReg((op & 7) | ((in.rex & 1) << 3), in.osz, in.imm);
            case 0xc0, 0xc1, 0xd0, 0xd1, 0xd2, 0xd3 -> group2(c, in);
            case 0xc2, 0xc3 -> {
                long t = c.pop(in.osz);
                if (op == 0xc2) {
                    c.setSp(c.sp() + in.imm);
                }
                c.rip = in.osz == 2 ? t & 0xffff : t & c.ipMask();
            }
            case 0xc6, 0xc7 -> c.writeRm(in, op == 0xc6 ? 1 : in.osz, in.imm);
            case 0xc8 -> enter(c, in);
            case 0xc9 -> {
                int ss = c.stackSize();
                c.setReg(Cpu.RSP, ss, c.reg(Cpu.RBP, ss));
                c.setReg(Cpu.RBP, in.osz, c.pop(in.osz));
            }
            case 0xca, 0xcb -> Protection.farReturn(c, in.osz, op == 0xca ? (int) in.imm : 0);
            case 0xcc -> Protection.softInt(c, CpuFault.BP, true);
            case 0xcd -> Protection.softInt(c, (int) in.imm & 0xff, false);
            case 0xce -> {
                if ((c.flags & Cpu.OF) != 0) {
                    Protection.softInt(c, CpuFault.OF, true);
                }
            }
            case 0xcf -> Protection.iret(c, in.osz);
            case 0xd4 -> {
                int base = (int) in.imm & 0xff;
                if (base == 0) {
                    throw CpuFault.of(CpuFault.DE);
                }
                int al = (int) c.r[0] & 0xff;
                c.setReg(0, 2, ((al / base) << 8) | (al % base));
                Alu.logic(c, al % base, 1);
            }
            case 0xd5 -> {
                int v = (int) (((c.r[0] >>> 8) & 0xff) * (in.imm & 0xff) + (c.r[0] & 0xff)) & 0xff;
                c.setReg(0, 2, v);
                Alu.logic(c, v, 1);
            }
            case 0xd7 -> {
                long a = (c.reg(Cpu.RBX, in.asz) + (c.r[0] & 0xff)) & Cpu.mask(in.asz);
                c.setReg(0, 1, c.mmu.read8(c.linear(in.segment(), a)));
            }
            case 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf -> Fpu.exec(c, in);
            case 0xe0, 0xe1, 0xe2 -> loop(c, in);
            case 0xe3 -> {
                if (c.reg(Cpu.RCX, in.asz) == 0) {
                    jump(c, in, c.rip + in.imm);
                }
            }
            case 0xe4, 0xe5, 0xe6, 0xe7, 0xec, 0xed, 0xee, 0xef -> SystemOps.io(c, in);
            case 0xe8 -> {
                long target = c.rip + in.imm;
                c.push(in.osz, c.rip);
                jump(c, in, target);
            }
            case 0xe9, 0xeb -> jump(c, in, c.rip + in.imm);
            case 0xea -> Protection.farJump(c, (int) in.imm2, in.imm);
            case 0xf1 -> Protection.softInt(c, CpuFault.DB, true);
            case 0xf4 -> {
                if (c.cpl != 0) {
                    throw CpuFault.gp(0);
                }
                c.halted = true;
            }
            case 0xf5 -> c.flags ^= Cpu.CF;
            case 0xf6, 0xf7 -> group3(c, in, op == 0xf6 ? 1 : in.osz);
            case 0xf8 -> c.flags &= ~Cpu.CF;
            case 0xf9 -> c.flags |= Cpu.CF;
            case 0xfa -> SystemOps.cli(c);
            case 0xfb -> SystemOps.sti(c);
            case 0xfc -> c.flags &= ~Cpu.DF;
            case 0xfd -> c.flags |= Cpu.DF;
            case 0xfe -> {
                if ((in.reg & 7) > 1) {
                    throw CpuFault.ud();
                }
                incDec(c, in, 1);
            }
            case 0xff -> group5(c, in);
            default -> throw c.unknown(in);
        }
    }

    static void jump(Cpu c, Insn in, long target) {
        c.rip = in.osz == 2 ? target & 0xffff : target & c.ipMask();
    }

    private static void legacyLow(Cpu c, Insn in) {
        switch (in.op) {
            case 0x06 -> c.push(in.osz, c.sel[Cpu.ES]);
            case 0x0e -> c.push(in.osz, c.sel[Cpu.CS]);
            case 0x16 -> c.push(in.osz, c.sel[Cpu.SS]);
            case 0x1e -> c.push(in.osz, c.sel[Cpu.DS]);
            case 0x07, 0x17, 0x1f -> {
                int s = in.op == 0x07 ? Cpu.ES : in.op == 0x17 ? Cpu.SS : Cpu.DS;
                int ss = c.stackSize();
                long sp = c.r[Cpu.RSP];
                int v = (int) c.mmu.read(c.linear(Cpu.SS, sp & Cpu.mask(ss)), 2);
                Protection.loadSeg(c, s, v);
                c.setReg(Cpu.RSP, ss, sp + in.osz);
                if (s == Cpu.SS) {
                    c.shadow = true;
                }
            }
            default -> throw c.unknown(in); // DAA/DAS/AAA/AAS
        }
    }

    private static void alu(Cpu c, Insn in) {
        int op = in.op;
        int kind = op >> 3;
        switch (op & 7) {
            case 0 -> aluRm(c, in, kind, 1, c.readReg(in, 1));
            case 1 -> aluRm(c, in, kind, in.osz, c.readReg(in, in.osz));
            case 2 -> {
                long r = in.flagsDead ? Alu.opNoFlags(c, kind, c.readReg(in, 1), c.readRm(in, 1), 1)
                        : Alu.op(c, kind, c.readReg(in, 1), c.readRm(in, 1), 1);
                if (kind != 7) {
                    c.writeReg(in, 1, r);
                }
            }
            case 3 -> {
                long r = in.flagsDead ? Alu.opNoFlags(c, kind, c.readReg(in, in.osz), c.readRm(in, in.osz), in.osz)
                        : Alu.op(c, kind, c.readReg(in, in.osz), c.readRm(in, in.osz), in.osz);
                if (kind != 7) {
                    c.writeReg(in, in.osz, r);
                }
            }
            case 4 -> {
                long r = Alu.op(c, kind, c.r[0], in.imm, 1);
                if (kind != 7) {
                    c.setReg(0, 1, r);
                }
            }
            default -> {
                long r = in.flagsDead ? Alu.opNoFlags(c, kind, c.r[0], in.imm, in.osz) : Alu.op(c, kind, c.r[0], in.imm, in.osz);
                if (kind != 7) {
                    c.setReg(0, in.osz, r);
                }
            }
        }
    }

    static void aluRm(Cpu c, Insn in, int kind, int size, long src) {
        if (in.mod == 3) {
            long a = size == 1 ? c.reg8(in, in.rm) : c.reg(in.rm, size);
            long r = in.flagsDead ? Alu.opNoFlags(c, kind, a, src, size) : Alu.op(c, kind, a, src, size);
            if (kind != 7) {
                if (size == 1) {
                    c.setReg8(in, in.rm, r);
                } else {
                    c.setReg(in.rm, size, r);
                }
            }
            return;
        }
        long lin = c.addr(in);
        if (kind != 7 && Atomic.locked(in)) {
            Atomic.rmw(c, lin, size, a -> Alu.op(c, kind, a, src, size));
            return;
        }
        long a = c.mmu.read(lin, size);
        long r = in.flagsDead ? Alu.opNoFlags(c, kind, a, src, size) : Alu.op(c, kind, a, src, size);
        if (kind != 7) {
            c.mmu.write(lin, size, r);
        }
    }

    private static void xchg(Cpu c, Insn in, int size) {
        long v = c.readReg(in, size);
        if (in.mod == 3) {
            long o = size == 1 ? c.reg8(in, in.rm) : c.reg(in.rm, size);
            c.writeRm(in, size, v);
            c.writeReg(in, size, o);
            return;
        }
        long old = Atomic.rmw(c, c.addr(in), size, a -> v);
        c.writeReg(in, size, old);
    }

    private static void xchgAx(Cpu c, Insn in, int n) {
        n |= (in.rex & 1) << 3;
        long a = c.reg(0, in.osz);
        long b = c.reg(n, in.osz);
        c.setReg(0, in.osz, b);
        c.setReg(n, in.osz, a);
    }

    private static void popRm(Cpu c, Insn in) {
        int ss = c.stackSize();
        long sp = c.r[Cpu.RSP];
        long v = c.mmu.read(c.linear(Cpu.SS, sp & Cpu.mask(ss)), in.osz);
        c.setReg(Cpu.RSP, ss, sp + in.osz); // the address uses the incremented RSP (SDM POP)
        try {
            c.writeRm(in, in.osz, v);
        } catch (CpuFault f) {
            c.setReg(Cpu.RSP, ss, sp);
            throw f;
        }
    }

    private static void pusha(Cpu c, Insn in) {
        long sp = c.reg(Cpu.RSP, in.osz);
        for (int n = 0; n < 8; n++) {
            c.push(in.osz, n == Cpu.RSP ? sp : c.reg(n, in.osz));
        }
    }

    private static void popa(Cpu c, Insn in) {
        for (int n = 7; n >= 0; n--) {
            long v = c.pop(in.osz);
            if (n != Cpu.RSP) {
                c.setReg(n, in.osz, v);
            }
        }
    }

    private static void enter(Cpu c, Insn in) {
        int size = in.osz;
        int level = (int) in.imm2 & 31;
        int ss = c.stackSize();
        c.push(size, c.reg(Cpu.RBP, size));
        long frame = c.reg(Cpu.RSP, ss);
        if (level > 0) {
            long bp = c.reg(Cpu.RBP, ss);
            for (int k = 1; k < level; k++) {
                bp = (bp - size) & Cpu.mask(ss);
                c.push(size, c.mmu.read(c.linear(Cpu.SS, bp), size));
            }
            c.push(size, frame);
        }
        c.setReg(Cpu.RBP, size, frame);
        c.setReg(Cpu.RSP, ss, c.reg(Cpu.RSP, ss) - in.imm);
    }

    private static void loop(Cpu c, Insn in) {
        long cx = (c.reg(Cpu.RCX, in.asz) - 1) & Cpu.mask(in.asz);
        c.setReg(Cpu.RCX, in.asz, cx);
        boolean z = (c.flags & Cpu.ZF) != 0;
        boolean take = cx != 0 && (in.op == 0xe2 || (in.op == 0xe1 ? z : !z));
        if (take) {
            jump(c, in, c.rip + in.imm);
        }
    }

    static long imul3(Cpu c, long a, long b, int size) {
        long sa = Alu.sext(a, size);
        long sb = Alu.sext(b, size);
        long lo = sa * sb;
        boolean overflow;
        if (size == 8) {
            long hi = Math.multiplyHigh(sa, sb);
            overflow = hi != (lo >> 63);
        } else {
            overflow = Alu.sext(lo, size) != lo;
        }
        long r = lo & Cpu.mask(size);
        long f = Alu.szp(r, size) | (overflow ? Cpu.CF | Cpu.OF : 0);
        Alu.setArith(c, f);
        return r;
    }

    private static void group2(Cpu c, Insn in) {
        int op = in.op;
        int size = (op & 1) == 0 ? 1 : in.osz;
        int count = op <= 0xc1 ? (int) in.imm : op <= 0xd1 ? 1 : (int) c.r[Cpu.RCX] & 0xff;
        int kind = in.reg & 7;
        if (Atomic.locked(in)) {
            throw CpuFault.ud();
        }
        if (in.mod == 3) {
            if (in.flagsDead) {
                long v = c.readRm(in, size);
                int n = count & (size == 8 ? 0x3f : 0x1f);
                long r = switch (kind) {
                    case 4, 6 -> v << n;
                    case 5 -> (v & Cpu.mask(size)) >>> n;
                    case 7 -> Alu.sext(v, size) >> n;
                    default -> Alu.shift(c, kind, v, count, size);
                };
                // a shift (not a rotate) by the operand's width or more leaves 0, SAR the sign
                c.writeRm(in, size, kind >= 4 && kind != 7 && n >= size * 8 ? 0 : r);
                return;
            }
            c.writeRm(in, size, Alu.shift(c, kind, c.readRm(in, size), count, size));
            return;
        }
        long lin = c.addr(in);
        long v = c.mmu.read(lin, size);
        long r = Alu.shift(c, kind, v, count, size);
        c.mmu.write(lin, size, r);
    }

    private static void incDec(Cpu c, Insn in, int size) {
        boolean dec = (in.reg & 7) == 1;
        if (Atomic.locked(in)) {
            Atomic.rmw(c, c.addr(in), size, a -> dec ? Alu.dec(c, a, size) : Alu.inc(c, a, size));
            return;
        }
        if (in.mod == 3) {
            long a = c.readRm(in, size);
            if (in.flagsDead) {
                c.writeRm(in, size, dec ? a - 1 : a + 1);
                return;
            }
            c.writeRm(in, size, dec ? Alu.dec(c, a, size) : Alu.inc(c, a, size));
            return;
        }
        long lin = c.addr(in);
        long a = c.mmu.read(lin, size);
        c.mmu.write(lin, size, dec ? Alu.dec(c, a, size) : Alu.inc(c, a, size));
    }

    private static void group3(Cpu c, Insn in, int size) {
        switch (in.reg & 7) {
            case 0, 1 -> Alu.logic(c, c.readRm(in, size) & in.imm, size);
            case 2 -> {
                if (Atomic.locked(in)) {
                    Atomic.rmw(c, c.addr(in), size, a -> ~a);
                } else if (in.mod == 3) {
                    c.writeRm(in, size, ~c.readRm(in, size));
                } else {
                    long lin = c.addr(in);
                    c.mmu.write(lin, size, ~c.mmu.read(lin, size));
                }
            }
            case 3 -> {
                if (Atomic.locked(in)) {
                    Atomic.rmw(c, c.addr(in), size, a -> Alu.sub(c, 0, a, 0, size));
                } else if (in.mod == 3) {
                    c.writeRm(in, size, Alu.sub(c, 0, c.readRm(in, size), 0, size));
                } else {
                    long lin = c.addr(in);
                    c.mmu.write(lin, size, Alu.sub(c, 0, c.mmu.read(lin, size), 0, size));
                }
            }
            default -> MulDiv.exec(c, in, size, c.readRm(in, size));
        }
    }

    private static void group5(Cpu c, Insn in) {
        switch (in.reg & 7) {
            case 0, 1 -> incDec(c, in, in.osz);
            case 2 -> {
                int size = c.mode == 64 ? 8 : in.osz;
                long t = c.readRm(in, size);
                c.push(size, c.rip);
                c.rip = t & (size == 2 ? 0xffff : c.ipMask());
            }
            case 3, 5 -> {
                if (in.mod == 3) {
                    throw CpuFault.ud();
                }
                long lin = c.addr(in);
                long off = c.mmu.read(lin, in.osz);
                int selector = c.mmu.read16(lin + in.osz);
                if ((in.reg & 7) == 3) {
                    Protection.farCall(c, selector, off, in.osz);
                } else {
                    Protection.farJump(c, selector, off);
                }
            }
            case 4 -> {
                int size = c.mode == 64 ? 8 : in.osz;
                long t = c.readRm(in, size);
                c.rip = t & (size == 2 ? 0xffff : c.ipMask());
            }
            case 6 -> {
                int size = c.mode == 64 ? ((in.pfx & Insn.P66) != 0 ? 2 : 8) : in.osz;
                c.push(size, c.readRm(in, size));
            }
            default -> throw CpuFault.ud();
        }
    }
}
