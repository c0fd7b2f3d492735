package io.jvirt.vmm.accel.tcg.cpu;

import java.math.BigInteger;

/** Group 3 /4–/7: MUL, IMUL, DIV, IDIV on AL/AX/EAX/RAX with rDX (SDM vol. 2). #DE on divide overflow. */
final class MulDiv {
    private MulDiv() {
    }

    static void exec(Cpu c, Insn in, int size, long src) {
        long m = Cpu.mask(size);
        src &= m;
        switch (in.reg & 7) {
            case 4 -> mul(c, size, src);
            case 5 -> imul(c, size, src);
            case 6 -> div(c, size, src);
            default -> idiv(c, size, src);
        }
    }

    private static void mulFlags(Cpu c, long lo, boolean high, int size) {
        Alu.setArith(c, Alu.szp(lo, size) | (high ? Cpu.CF | Cpu.OF : 0));
    }

    private static void mul(Cpu c, int size, long src) {
        switch (size) {
            case 1 -> {
                long r = (c.r[0] & 0xff) * src;
                c.setReg(0, 2, r);
                mulFlags(c, r & 0xff, (r >>> 8) != 0, 1);
            }
            case 2 -> {
                long r = (c.r[0] & 0xffff) * src;
                c.setReg(0, 2, r);
                c.setReg(Cpu.RDX, 2, r >>> 16);
                mulFlags(c, r & 0xffff, (r >>> 16) != 0, 2);
            }
            case 4 -> {
                long r = (c.r[0] & 0xffffffffL) * src;
                c.setReg(0, 4, r);
                c.setReg(Cpu.RDX, 4, r >>> 32);
                mulFlags(c, r & 0xffffffffL, (r >>> 32) != 0, 4);
            }
            default -> {
                long a = c.r[0];
                long lo = a * src;
                long hi = Math.unsignedMultiplyHigh(a, src);
                c.r[0] = lo;
                c.r[Cpu.RDX] = hi;
                mulFlags(c, lo, hi != 0, 8);
            }
        }
    }

    private static void imul(Cpu c, int size, long src) {
        long s = Alu.sext(src, size);
        switch (size) {
            case 1 -> {
                long r = (byte) c.r[0] * s;
                c.setReg(0, 2, r);
                mulFlags(c, r & 0xff, r != (byte) r, 1);
            }
            case 2 -> {
                long r = (short) c.r[0] * s;
                c.setReg(0, 2, r);
                c.setReg(Cpu.RDX, 2, r >>> 16);
                mulFlags(c, r & 0xffff, r != (short) r, 2);
            }
            case 4 -> {
                long r = (int) c.r[0] * s;
                c.setReg(0, 4, r);
                c.setReg(Cpu.RDX, 4, r >>> 32);
                mulFlags(c, r & 0xffffffffL, r != (int) r, 4);
            }
            default -> {
                long a = c.r[0];
                long lo = a * s;
                long hi = Math.multiplyHigh(a, s);
                c.r[0] = lo;
                c.r[Cpu.RDX] = hi;
                mulFlags(c, lo, hi != (lo >> 63), 8);
            }
        }
    }

    private static void div(Cpu c, int size, long src) {
        if (src == 0) {
            throw CpuFault.of(CpuFault.DE);
        }
        switch (size) {
            case 1 -> {
                long a = c.r[0] & 0xffff;
                long q = a / src;
                if (q > 0xff) {
                    throw CpuFault.of(CpuFault.DE);
                }
                c.setReg(0, 2, ((a % src) << 8) | q);
            }
            case 2 -> {
                long a = ((c.r[Cpu.RDX] & 0xffff) << 16) | (c.r[0] & 0xffff);
                long q = a / src;
                if (q > 0xffff) {
                    throw CpuFault.of(CpuFault.DE);
                }
                c.setReg(0, 2, q);
                c.setReg(Cpu.RDX, 2, a % src);
            }
            case 4 -> {
                long a = ((c.r[Cpu.RDX] & 0xffffffffL) << 32) | (c.r[0] & 0xffffffffL);
                long q = Long.divideUnsigned(a, src);
                if ((q >>> 32) != 0) {
                    throw CpuFault.of(CpuFault.DE);
                }
                c.setReg(0, 4, q);
                c.setReg(Cpu.RDX, 4, Long.remainderUnsigned(a, src));
            }
            default -> {
                long hi = c.r[Cpu.RDX];
                long lo = c.r[0];
                if (hi == 0) {
                    c.r[0] = Long.divideUnsigned(lo, src);
                    c.r[Cpu.RDX] = Long.remainderUnsigned(lo, src);
                    return;
                }
                if (Long.compareUnsigned(hi, src) >= 0) {
                    throw CpuFault.of(CpuFault.DE);
                }
                long q = divide128(hi, lo, src);
                c.r[0] = q;
                c.r[Cpu.RDX] = lo - q * src; // the remainder is below src, so its low 64 bits are all of it
            }
        }
    }

    /**
     * Unsigned (hi:lo) / v for hi < v, so the quotient fits in 64 bits: Knuth's algorithm D with
     * 32-bit digits, as in Hacker's Delight (2nd ed.) §9-4 "divlu". The kernel's RSA self-test
     * divides like this in a loop, so no BigInteger here.
     */
    static long divide128(long hi, long lo, long v) {
        final long b = 1L << 32;
        int s = Long.numberOfLeadingZeros(v);
        v <<= s;
        long vn1 = v >>> 32;
        long vn0 = v & 0xffffffffL;
        long un32 = s == 0 ? hi : (hi << s) | (lo >>> (64 - s));
        long un10 = lo << s;
        long un1 = un10 >>> 32;
        long un0 = un10 & 0xffffffffL;
        long q1 = Long.divideUnsigned(un32, vn1);
        long rhat = un32 - q1 * vn1;
        while (Long.compareUnsigned(q1, b) >= 0 || Long.compareUnsigned(q1 * vn0, (rhat << 32) + un1) > 0) {
            q1--;
            rhat += vn1;
            if (Long.compareUnsigned(rhat, b) >= 0) {
                break;
            }
        }
        long un21 = (un32 << 32) + un1 - q1 * v;
        long q0 = Long.divideUnsigned(un21, vn1);
        rhat = un21 - q0 * vn1;
        while (Long.compareUnsigned(q0, b) >= 0 || Long.compareUnsigned(q0 * vn0, (rhat << 32) + un0) > 0) {
            q0--;
            rhat += vn1;
            if (Long.compareUnsigned(rhat, b) >= 0) {
                break;
            }
        }
        return (q1 << 32) + q0;
    }

    private static BigInteger unsigned(long v) {
        BigInteger b = BigInteger.valueOf(v & Long.MAX_VALUE);
        return v < 0 ? b.setBit(63) : b;
    }

    private static void idiv(Cpu c, int size, long src) {
        long s = Alu.sext(src, size);
        if (s == 0) {
            throw CpuFault.of(CpuFault.DE);
        }
        switch (size) {
            case 1 -> {
                long a = (short) c.r[0];
                long q = a / s;
                if (q != (byte) q) {
                    throw CpuFault.of(CpuFault.DE);
                }
                c.setReg(0, 2, ((a % s & 0xff) << 8) | (q & 0xff));
            }
            case 2 -> {
                long a = (int) (((c.r[Cpu.RDX] & 0xffff) << 16) | (c.r[0] & 0xffff));
                long q = a / s;
                if (q != (short) q) {
                    throw CpuFault.of(CpuFault.DE);
                }
                c.setReg(0, 2, q);
                c.setReg(Cpu.RDX, 2, a % s);
            }
            case 4 -> {
                long a = ((c.r[Cpu.RDX] & 0xffffffffL) << 32) | (c.r[0] & 0xffffffffL);
                if (a == Long.MIN_VALUE && s == -1) {
                    throw CpuFault.of(CpuFault.DE);
                }
                long q = a / s;
                if (q != (int) q) {
                    throw CpuFault.of(CpuFault.DE);
                }
                c.setReg(0, 4, q);
                c.setReg(Cpu.RDX, 4, a % s);
            }
            default -> {
                long hi = c.r[Cpu.RDX];
                long lo = c.r[0];
                if (hi == (lo >> 63)) {
                    if (lo == Long.MIN_VALUE && s == -1) {
                        throw CpuFault.of(CpuFault.DE);
                    }
                    c.r[0] = lo / s;
                    c.r[Cpu.RDX] = lo % s;
                    return;
                }
                BigInteger a = BigInteger.valueOf(hi).shiftLeft(64).or(unsigned(lo));
                BigInteger[] qr = a.divideAndRemainder(BigInteger.valueOf(s));
                if (qr[0].bitLength() > 63) {
                    throw CpuFault.of(CpuFault.DE);
                }
                c.r[0] = qr[0].longValue();
                c.r[Cpu.RDX] = qr[1].longValue();
            }
        }
    }
}
