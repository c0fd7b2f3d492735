package io.jvirt.vmm.accel.tcg.cpu;

/**
 * Integer arithmetic with exact RFLAGS (SDM vol. 1 appendix A; where the SDM leaves a flag
 * undefined we follow QEMU's choice: AF = 0 after logic ops and shifts, flags after MUL from
 * the low half of the result). Flags are computed eagerly.
 */
final class Alu {
    private Alu() {
    }

    static long sign(int size) {
        return 1L << (size * 8 - 1);
    }

    static long szp(long r, int size) {
        long f = 0;
        if ((r & Cpu.mask(size)) == 0) {
            f |= Cpu.ZF;
        }
        if ((r & sign(size)) != 0) {
            f |= Cpu.SF;
        }
        if ((Integer.bitCount((int) r & 0xff) & 1) == 0) {
            f |= Cpu.PF;
        }
        return f;
    }

    static void setArith(Cpu c, long f) {
        c.flags = (c.flags & ~Cpu.ARITH) | f;
    }

    static long add(Cpu c, long a, long b, long carry, int size) {
        long m = Cpu.mask(size);
        a &= m;
        b &= m;
        long r = (a + b + carry) & m;
        long sb = sign(size);
        long f = szp(r, size);
        if ((((a & b) | ((a | b) & ~r)) & sb) != 0) {
            f |= Cpu.CF;
        }
        if (((a ^ r) & (b ^ r) & sb) != 0) {
            f |= Cpu.OF;
        }
        f |= (a ^ b ^ r) & Cpu.AF;
        setArith(c, f);
        return r;
    }

    static long sub(Cpu c, long a, long b, long borrow, int size) {
        long m = Cpu.mask(size);
        a &= m;
        b &= m;
        long r = (a - b - borrow) & m;
        long sb = sign(size);
        long f = szp(r, size);
        if ((((~a & b) | ((~a | b) & r)) & sb) != 0) {
            f |= Cpu.CF;
        }
        if (((a ^ b) & (a ^ r) & sb) != 0) {
            f |= Cpu.OF;
        }
        f |= (a ^ b ^ r) & Cpu.AF;
        setArith(c, f);
        return r;
    }

    static long logic(Cpu c, long r, int size) {
        r &= Cpu.mask(size);
        setArith(c, szp(r, size));
        return r;
    }

    /** The eight ALU operations of opcodes 00–3F and group 1, by their /r number. */
    static long op(Cpu c, int op, long a, long b, int size) {
        return switch (op) {
            case 0 -> add(c, a, b, 0, size);
            case 1 -> logic(c, a | b, size);
            case 2 -> add(c, a, b, c.flags & Cpu.CF, size);
            case 3 -> sub(c, a, b, c.flags & Cpu.CF, size);
            case 4 -> logic(c, a & b, size);
            case 5, 7 -> sub(c, a, b, 0, size);
            default -> logic(c, a ^ b, size);
        };
    }

    /** {@link #op} without flags, for instructions whose flags are dead. */
    static long opNoFlags(Cpu c, int op, long a, long b, int size) {
        long r = switch (op) {
            case 0 -> a + b;
            case 1 -> a | b;
            case 2 -> a + b + (c.flags & Cpu.CF);
            case 3 -> a - b - (c.flags & Cpu.CF);
            case 4 -> a & b;
            case 5, 7 -> a - b;
            default -> a ^ b;
        };
        return r & Cpu.mask(size);
    }

    static long inc(Cpu c, long a, int size) {
        long cf = c.flags & Cpu.CF;
        long r = add(c, a, 1, 0, size);
        c.flags = (c.flags & ~Cpu.CF) | cf;
        return r;
    }

    static long dec(Cpu c, long a, int size) {
        long cf = c.flags & Cpu.CF;
        long r = sub(c, a, 1, 0, size);
        c.flags = (c.flags & ~Cpu.CF) | cf;
        return r;
    }

    /** Condition code cc (0–15) of Jcc/SETcc/CMOVcc. */
    static boolean cond(long f, int cc) {
        boolean r = switch (cc >> 1) {
            case 0 -> (f & Cpu.OF) != 0;
            case 1 -> (f & Cpu.CF) != 0;
            case 2 -> (f & Cpu.ZF) != 0;
            case 3 -> (f & (Cpu.CF | Cpu.ZF)) != 0;
            case 4 -> (f & Cpu.SF) != 0;
            case 5 -> (f & Cpu.PF) != 0;
            case 6 -> ((f & Cpu.SF) != 0) != ((f & Cpu.OF) != 0);
            default -> (f & Cpu.ZF) != 0 || (((f & Cpu.SF) != 0) != ((f & Cpu.OF) != 0));
        };
        return r ^ ((cc & 1) != 0);
    }

    static long sext(long v, int size) {
        return switch (size) {
            case 1 -> (byte) v;
            case 2 -> (short) v;
            case 4 -> (int) v;
            default -> v;
        };
    }

    /** Group 2 shifts and rotates: /0 ROL, /1 ROR, /2 RCL, /3 RCR, /4 SHL, /5 SHR, /6 SAL, /7 SAR. */
    static long shift(Cpu c, int op, long v, int count, int size) {
        int bits = size * 8;
        long m = Cpu.mask(size);
        v &= m;
        count &= size == 8 ? 0x3f : 0x1f;
        if (count == 0) {
            return v;
        }
        long sb = sign(size);
        long f = c.flags;
        long r;
        switch (op) {
            case 0 -> { // ROL
                int n = count & (bits - 1);
                r = n == 0 ? v : ((v << n) | (v >>> (bits - n))) & m;
                long cf = r & 1;
                long of = ((r & sb) != 0 ? 1 : 0) ^ cf;
                f = (f & ~(Cpu.CF | Cpu.OF)) | cf | (of << 11);
            }
            case 1 -> { // ROR
                int n = count & (bits - 1);
                r = n == 0 ? v : ((v >>> n) | (v << (bits - n))) & m;
                long cf = (r & sb) != 0 ? 1 : 0;
                long of = cf ^ ((r >>> (bits - 2)) & 1);
                f = (f & ~(Cpu.CF | Cpu.OF)) | cf | (of << 11);
            }
            case 2 -> { // RCL
                int n = count % (bits + 1);
                if (n == 0) {
                    return v;
                }
                long cf = f & 1;
                r = v;
                for (int k = 0; k < n; k++) {
                    long out = (r & sb) != 0 ? 1 : 0;
                    r = ((r << 1) | cf) & m;
                    cf = out;
                }
                long of = ((r & sb) != 0 ? 1 : 0) ^ cf;
                f = (f & ~(Cpu.CF | Cpu.OF)) | cf | (of << 11);
            }
            case 3 -> { // RCR
                int n = count % (bits + 1);
                if (n == 0) {
                    return v;
                }
                long cf = f & 1;
                r = v;
                for (int k = 0; k < n; k++) {
                    long out = r & 1;
                    r = (r >>> 1) | (cf != 0 ? sb : 0);
                    cf = out;
                }
                long of = ((r >>> (bits - 1)) ^ (r >>> (bits - 2))) & 1;
                f = (f & ~(Cpu.CF | Cpu.OF)) | cf | (of << 11);
            }
            case 4, 6 -> { // SHL
                long pre = count - 1 >= 64 ? 0 : (v << (count - 1)) & m;
                r = count >= 64 ? 0 : (v << count) & m;
                if (count > bits) {
                    pre = 0;
                }
                long cf = (pre & sb) != 0 ? 1 : 0;
                long of = ((pre ^ r) & sb) != 0 ? Cpu.OF : 0;
                f = (f & ~Cpu.ARITH) | szp(r, size) | cf | of;
            }
            case 5 -> { // SHR
                long pre = count - 1 >= bits ? 0 : v >>> (count - 1);
                r = count >= bits ? 0 : v >>> count;
                long cf = pre & 1;
                long of = ((pre ^ r) & sb) != 0 ? Cpu.OF : 0;
                f = (f & ~Cpu.ARITH) | szp(r, size) | cf | of;
            }
            default -> { // SAR
                long sv = sext(v, size);
                long pre = sv >> Math.min(count - 1, 63);
                r = (sv >> Math.min(count, 63)) & m;
                long cf = pre & 1;
                long of = ((pre ^ r) & sb) != 0 ? Cpu.OF : 0;
                f = (f & ~Cpu.ARITH) | szp(r, size) | cf | of;
            }
        }
        c.flags = f;
        return r;
    }

    /** SHLD/SHRD (SDM vol. 2B): shifts {@code dst}, filling from {@code src}. */
    static long shiftDouble(Cpu c, boolean left, long dst, long src, int count, int size) {
        int bits = size * 8;
        long m = Cpu.mask(size);
        count &= size == 8 ? 0x3f : 0x1f;
        if (count == 0) {
            return dst & m;
        }
        dst &= m;
        src &= m;
        long r;
        long cf;
        if (count > bits) {
            // 16-bit operand, count 17-31: undefined; shift bit by bit through src (then dst again)
            long fill = left ? (src << bits | dst) : (dst << bits | src);
            r = dst;
            cf = 0;
            for (int k = 0; k < count; k++) {
                if (left) {
                    cf = (r >>> (bits - 1)) & 1;
                    r = ((r << 1) | ((fill >>> (2 * bits - 1 - (k % (2 * bits)))) & 1)) & m;
                } else {
                    cf = r & 1;
                    r = (r >>> 1) | (((fill >>> (k % (2 * bits))) & 1) << (bits - 1));
                }
            }
        } else if (left) {
            r = ((dst << count) | (count == bits ? src : src >>> (bits - count))) & m;
            cf = (dst >>> (bits - count)) & 1;
        } else {
            r = ((dst >>> count) | (count == bits ? src : src << (bits - count))) & m;
            cf = (dst >>> (count - 1)) & 1;
        }
        long sb = sign(size);
        long of = ((r ^ dst) & sb) != 0 ? Cpu.OF : 0;
        c.flags = (c.flags & ~Cpu.ARITH) | szp(r, size) | cf | of;
        return r;
    }
}
