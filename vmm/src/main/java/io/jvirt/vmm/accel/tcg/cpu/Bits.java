package io.jvirt.vmm.accel.tcg.cpu;

/** Bit instructions (BT/BTS/BTR/BTC, BSF/BSR) and the exchange family (CMPXCHG, CMPXCHG8B/16B, XADD). */
final class Bits {
    private Bits() {
    }

    static void bitTest(Cpu c, Insn in) {
        int size = in.osz;
        int bits = size * 8;
        int kind; // 0 BT, 1 BTS, 2 BTR, 3 BTC
        long offset;
        boolean immediate = (in.op & 0xff) == 0xba;
        if (immediate) {
            int k = in.reg & 7;
            if (k < 4) {
                throw CpuFault.ud();
            }
            kind = k - 4;
            offset = in.imm & (bits - 1);
        } else {
            kind = switch (in.op & 0xff) {
                case 0xa3 -> 0;
                case 0xab -> 1;
                case 0xb3 -> 2;
                default -> 3;
            };
            offset = Alu.sext(c.readReg(in, size), size);
        }
        if (in.mod == 3) {
            int bit = (int) (offset & (bits - 1));
            long v = c.readRm(in, size);
            setCf(c, (v >>> bit) & 1);
            if (kind != 0) {
                c.writeRm(in, size, apply(kind, v, bit));
            }
            return;
        }
        long ea = c.ea(in);
        if (!immediate) {
            ea += (offset >> (size == 8 ? 6 : size == 4 ? 5 : 4)) * size;
            ea &= Cpu.mask(in.asz);
        }
        int bit = (int) (offset & (bits - 1));
        long lin = c.linear(in.segment(), ea);
        if (kind != 0 && Atomic.locked(in)) {
            long old = Atomic.rmw(c, lin, size, v -> apply(kind, v, bit));
            setCf(c, (old >>> bit) & 1);
            return;
        }
        long v = c.mmu.read(lin, size);
        setCf(c, (v >>> bit) & 1);
        if (kind != 0) {
            c.mmu.write(lin, size, apply(kind, v, bit));
        }
    }

    private static long apply(int kind, long v, int bit) {
        return switch (kind) {
            case 1 -> v | (1L << bit);
            case 2 -> v & ~(1L << bit);
            default -> v ^ (1L << bit);
        };
    }

    private static void setCf(Cpu c, long cf) {
        c.flags = (c.flags & ~Cpu.CF) | cf;
    }

    static void bitScan(Cpu c, Insn in, boolean forward) {
        int size = in.osz;
        long v = c.readRm(in, size) & Cpu.mask(size);
        // Flags as QEMU: ZF from the source, CF/OF/AF cleared, SF/PF from the source.
        Alu.setArith(c, Alu.szp(v, size));
        if (v == 0) {
            return; // destination unchanged (AMD-documented, Intel-observed)
        }
        int r = forward ? Long.numberOfTrailingZeros(v) : 63 - Long.numberOfLeadingZeros(v);
        c.writeReg(in, size, r);
    }

    static void cmpxchg(Cpu c, Insn in, int size) {
        long acc = c.reg(0, size);
        long src = c.readReg(in, size);
        if (in.mod == 3) {
            long d = c.readRm(in, size);
            Alu.sub(c, acc, d, 0, size);
            if ((c.flags & Cpu.ZF) != 0) {
                c.writeRm(in, size, src);
            } else {
                c.setReg(0, size, d);
            }
            return;
        }
        long lin = c.addr(in);
        long old;
        if (Atomic.locked(in)) {
            old = Atomic.rmw(c, lin, size, d -> d == acc ? src : d);
        } else {
            old = c.mmu.read(lin, size);
            c.mmu.write(lin, size, old == acc ? src : old); // always writes (SDM CMPXCHG)
        }
        Alu.sub(c, acc, old, 0, size);
        if (old != acc) {
            c.setReg(0, size, old);
        }
    }

    static void xadd(Cpu c, Insn in, int size) {
        long src = c.readReg(in, size);
        if (in.mod == 3) {
            long d = c.readRm(in, size);
            long sum = Alu.add(c, d, src, 0, size);
            c.writeReg(in, size, d);
            c.writeRm(in, size, sum);
            return;
        }
        long lin = c.addr(in);
        long old;
        if (Atomic.locked(in)) {
            old = Atomic.rmw(c, lin, size, d -> d + src);
        } else {
            old = c.mmu.read(lin, size);
            c.mmu.write(lin, size, old + src);
        }
        Alu.add(c, old, src, 0, size);
        c.writeReg(in, size, old);
    }

    /** 0F C7: /1 CMPXCHG8B/16B; RDRAND/RDSEED are not advertised. */
    static void group9(Cpu c, Insn in) {
        if ((in.reg & 7) != 1 || in.mod == 3) {
            throw c.unknown(in);
        }
        long lin = c.addr(in);
        if (in.osz == 8) {
            if ((lin & 15) != 0) {
                throw CpuFault.gp(0);
            }
            cmpxchg16b(c, lin);
            return;
        }
        long expected = (c.r[0] & 0xffffffffL) | (c.r[Cpu.RDX] << 32);
        long replacement = (c.r[Cpu.RBX] & 0xffffffffL) | (c.r[Cpu.RCX] << 32);
        long old = Atomic.rmw(c, lin, 8, d -> d == expected ? replacement : d);
        if (old == expected) {
            c.flags |= Cpu.ZF;
        } else {
            c.flags &= ~Cpu.ZF;
            c.setReg(0, 4, old);
            c.setReg(Cpu.RDX, 4, old >>> 32);
        }
    }

    private static final Object LOCK16 = new Object();

    private static void cmpxchg16b(Cpu c, long lin) {
        synchronized (LOCK16) {
            long lo = c.mmu.read64(lin);
            long hi = c.mmu.read64(lin + 8);
            if (lo == c.r[0] && hi == c.r[Cpu.RDX]) {
                c.mmu.write64(lin, c.r[Cpu.RBX]);
                c.mmu.write64(lin + 8, c.r[Cpu.RCX]);
                c.flags |= Cpu.ZF;
            } else {
                c.mmu.write64(lin, lo);
                c.mmu.write64(lin + 8, hi);
                c.flags &= ~Cpu.ZF;
                c.r[0] = lo;
                c.r[Cpu.RDX] = hi;
            }
        }
    }
}
