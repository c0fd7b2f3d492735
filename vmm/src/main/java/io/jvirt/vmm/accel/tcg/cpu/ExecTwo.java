package io.jvirt.vmm.accel.tcg.cpu;

/** The 0F opcode map: integer and system instructions; SSE goes to {@link Sse}. */
final class ExecTwo {
    private ExecTwo() {
    }

    static void exec(Cpu c, Insn in) {
        int op = in.op;
        if (op >= 0x200) {
            throw c.unknown(in); // 0F 38 / 0F 3A: SSSE3+ not advertised
        }
        int b = op & 0xff;
        if ((b >= 0x10 && b <= 0x17) || (b >= 0x28 && b <= 0x2f) || (b >= 0x50 && b <= 0x7f)
                || (b >= 0xc2 && b <= 0xc6) || b >= 0xd0) {
            if (b == 0xff) {
                throw CpuFault.ud();
            }
            Sse.exec(c, in);
            return;
        }
        switch (b) {
            case 0x00 -> SystemOps.group6(c, in);
            case 0x01 -> SystemOps.group7(c, in);
            case 0x02, 0x03 -> SystemOps.larLsl(c, in);
            case 0x05 -> Protection.syscall(c);
            case 0x06 -> {
                SystemOps.needCpl0(c);
                c.cr0 &= ~Cpu.CR0_TS;
            }
            case 0x07 -> Protection.sysret(c, in);
            case 0x08, 0x09 -> SystemOps.needCpl0(c);
            case 0x0b, 0xb9 -> throw CpuFault.ud();
            case 0x0d, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f -> {
                // prefetch / hint NOPs
            }
            case 0x20, 0x22 -> SystemOps.movCr(c, in);
            case 0x21, 0x23 -> SystemOps.movDr(c, in);
            case 0x30 -> SystemOps.wrmsr(c);
            case 0x31 -> SystemOps.rdtsc(c);
            case 0x32 -> SystemOps.rdmsr(c);
            case 0x33 -> throw CpuFault.gp(0);
            case 0x34, 0x35 -> throw CpuFault.ud(); // SYSENTER/SYSEXIT: SEP not advertised in long mode use
            case 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f -> {
                long v = c.readRm(in, in.osz);
                if (Alu.cond(c.flags, b & 15)) {
                    c.writeReg(in, in.osz, v);
                } else if (in.osz == 4) {
                    c.setReg(in.reg, 4, c.r[in.reg]);
                }
            }
            case 0x77 -> {
                // EMMS
            }
            case 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f -> {
                if (Alu.cond(c.flags, b & 15)) {
                    Exec.jump(c, in, c.rip + in.imm);
                }
            }
            case 0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f ->
                    c.writeRm(in, 1, Alu.cond(c.flags, b & 15) ? 1 : 0);
            case 0xa0 -> c.push(in.osz, c.sel[Cpu.FS]);
            case 0xa8 -> c.push(in.osz, c.sel[Cpu.GS]);
            case 0xa1, 0xa9 -> {
                int ss = c.stackSize();
                long sp = c.r[Cpu.RSP];
                int v = (int) c.mmu.read(c.linear(Cpu.SS, sp & Cpu.mask(ss)), 2);
                Protection.loadSeg(c, b == 0xa1 ? Cpu.FS : Cpu.GS, v);
                c.setReg(Cpu.RSP, ss, sp + in.osz);
            }
            case 0xa2 -> Cpuid.exec(c);
            case 0xa3, 0xab, 0xb3, 0xbb, 0xba -> Bits.bitTest(c, in);
            case 0xa4, 0xa5, 0xac, 0xad -> {
                int count = (b & 1) == 0 ? (int) in.imm : (int) c.r[Cpu.RCX] & 0xff;
                boolean left = b < 0xa8;
                if (in.mod == 3) {
                    c.writeRm(in, in.osz, Alu.shiftDouble(c, left, c.readRm(in, in.osz), c.readReg(in, in.osz), count, in.osz));
                } else {
                    long lin = c.addr(in);
                    long v = c.mmu.read(lin, in.osz);
                    c.mmu.write(lin, in.osz, Alu.shiftDouble(c, left, v, c.readReg(in, in.osz), count, in.osz));
                }
            }
            case 0xae -> SystemOps.group15(c, in);
            case 0xaf -> c.writeReg(in, in.osz, in.flagsDead ? c.readReg(in, in.osz) * c.readRm(in, in.osz)
                    : Exec.imul3(c, c.readReg(in, in.osz), c.readRm(in, in.osz), in.osz));
            case 0xb0, 0xb1 -> Bits.cmpxchg(c, in, b == 0xb0 ? 1 : in.osz);
            case 0xb2, 0xb4, 0xb5 -> {
                if (in.mod == 3) {
                    throw CpuFault.ud();
                }
                long lin = c.addr(in);
                long off = c.mmu.read(lin, in.osz);
                int selector = c.mmu.read16(lin + in.osz);
                Protection.loadSeg(c, b == 0xb2 ? Cpu.SS : b == 0xb4 ? Cpu.FS : Cpu.GS, selector);
                c.writeReg(in, in.osz, off);
            }
            case 0xb6 -> c.writeReg(in, in.osz, c.readRm(in, 1));
            case 0xb7 -> c.writeReg(in, in.osz, c.readRm(in, 2));
            case 0xbe -> c.writeReg(in, in.osz, (byte) c.readRm(in, 1));
            case 0xbf -> c.writeReg(in, in.osz, (short) c.readRm(in, 2));
            case 0xb8 -> {
                if ((in.pfx & Insn.PF3) == 0) {
                    throw CpuFault.ud();
                }
                long v = c.readRm(in, in.osz);
                c.writeReg(in, in.osz, Long.bitCount(v));
                Alu.setArith(c, v == 0 ? Cpu.ZF : 0);
            }
            case 0xbc, 0xbd -> Bits.bitScan(c, in, b == 0xbc);
            case 0xc0, 0xc1 -> Bits.xadd(c, in, b == 0xc0 ? 1 : in.osz);
            case 0xc7 -> Bits.group9(c, in);
            case 0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf -> {
                int n = (b & 7) | ((in.rex & 1) << 3);
                if (in.osz == 8) {
                    c.r[n] = Long.reverseBytes(c.r[n]);
                } else if (in.osz == 4) {
                    c.setReg(n, 4, Integer.reverseBytes((int) c.r[n]));
                } else {
                    c.setReg(n, 2, 0); // BSWAP r16 is undefined; QEMU and hardware give 0
                }
            }
            default -> throw c.unknown(in);
        }
    }
}
