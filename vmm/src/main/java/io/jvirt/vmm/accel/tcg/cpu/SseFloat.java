package io.jvirt.vmm.accel.tcg.cpu;

/**
 * SSE/SSE2 floating point: packed/scalar single and double arithmetic, MIN/MAX with the x86
 * operand-order rule (the second operand is returned for NaNs and equal zeros), compares,
 * conversions with MXCSR rounding (out-of-range results give the integer indefinite value).
 */
final class SseFloat {
    private SseFloat() {
    }

    private static float f(long v) {
        return Float.intBitsToFloat((int) v);
    }

    private static double dbl(long v) {
        return Double.longBitsToDouble(v);
    }

    private static long bits(float v) {
        return Float.floatToRawIntBits(v) & 0xffffffffL;
    }

    private static long bits(double v) {
        return Double.doubleToRawLongBits(v);
    }

    private static double opD(int b, double x, double y) {
        return switch (b) {
            case 0x58 -> x + y;
            case 0x59 -> x * y;
            case 0x5c -> x - y;
            case 0x5e -> x / y;
            case 0x5d -> x < y ? x : y;
            case 0x5f -> x > y ? x : y;
            case 0x51 -> Math.sqrt(y);
            case 0x52 -> 1 / Math.sqrt(y);
            default -> 1 / y; // 0x53
        };
    }

    private static float opF(int b, float x, float y) {
        return switch (b) {
            case 0x58 -> x + y;
            case 0x59 -> x * y;
            case 0x5c -> x - y;
            case 0x5e -> x / y;
            case 0x5d -> x < y ? x : y;
            case 0x5f -> x > y ? x : y;
            case 0x51 -> (float) Math.sqrt(y);
            case 0x52 -> (float) (1 / Math.sqrt(y));
            default -> 1 / y;
        };
    }

    private static boolean cmp(int pred, double x, double y) {
        boolean unord = Double.isNaN(x) || Double.isNaN(y);
        return switch (pred & 7) {
            case 0 -> x == y;
            case 1 -> x < y;
            case 2 -> x <= y;
            case 3 -> unord;
            case 4 -> !(x == y);
            case 5 -> !(x < y);
            case 6 -> !(x <= y);
            default -> !unord;
        };
    }

    static double roundMx(Cpu c, double v) {
        return switch ((c.fpu.mxcsr >> 13) & 3) {
            case 0 -> Math.rint(v);
            case 1 -> Math.floor(v);
            case 2 -> Math.ceil(v);
            default -> v < 0 ? Math.ceil(v) : Math.floor(v);
        };
    }

    private static long toInt(Cpu c, double v, boolean truncate, int size) {
        double r = truncate ? (v < 0 ? Math.ceil(v) : Math.floor(v)) : roundMx(c, v);
        if (size == 8) {
            if (Double.isNaN(r) || r >= 0x1p63 || r < -0x1p63) {
                return Long.MIN_VALUE;
            }
            return (long) r;
        }
        if (Double.isNaN(r) || r >= 0x1p31 || r < -0x1p31) {
            return 0x80000000L;
        }
        return ((long) r) & 0xffffffffL;
    }

    static void exec(Cpu c, Insn in, int b, int p, long[] t) {
        int d = in.reg;
        long alo = Sse.lo(c, d);
        long ahi = Sse.hi(c, d);
        switch (b) {
            case 0x2a -> {
                if (p < 2) {
                    throw c.unknown(in);
                }
                long v = in.osz == 8 ? c.readRm(in, 8) : (int) c.readRm(in, 4);
                if (p == 2) {
                    Sse.set(c, d, (alo & ~0xffffffffL) | bits((float) v), ahi);
                } else {
                    Sse.set(c, d, bits((double) v), ahi);
                }
            }
            case 0x2c, 0x2d -> {
                if (p < 2) {
                    throw c.unknown(in);
                }
                double v = p == 2 ? f(Sse.src32(c, in)) : dbl(Sse.src64(c, in));
                int size = in.osz == 8 ? 8 : 4;
                c.setReg(in.reg, size, toInt(c, v, b == 0x2c, size));
            }
            case 0x2e, 0x2f -> {
                if (p > 1) {
                    throw c.unknown(in);
                }
                double x = p == 0 ? f(alo) : dbl(alo);
                double y = p == 0 ? f(Sse.src32(c, in)) : dbl(Sse.src64(c, in));
                long fl;
                if (Double.isNaN(x) || Double.isNaN(y)) {
                    fl = Cpu.ZF | Cpu.PF | Cpu.CF;
                } else if (x > y) {
                    fl = 0;
                } else if (x < y) {
                    fl = Cpu.CF;
                } else {
                    fl = Cpu.ZF;
                }
                Alu.setArith(c, fl);
            }
            case 0x5a -> convert(c, in, p, t, d, alo, ahi);
            case 0x5b -> {
                Sse.src128(c, in, t, false);
                long[] r = new long[4];
                for (int i = 0; i < 4; i++) {
                    long e = SseInt.el(t[0], t[1], i, 32);
                    r[i] = p == 0 ? bits((float) (int) e) : p == 1 ? toInt(c, f(e), false, 4) : p == 2 ? toInt(c, f(e), true, 4) : throwUd(c, in);
                }
                Sse.set(c, d, r[0] | (r[1] << 32), r[2] | (r[3] << 32));
            }
            case 0xe6 -> {
                Sse.src128(c, in, t, false);
                if (p == 2) {
                    Sse.set(c, d, bits((double) (int) t[0]), bits((double) (int) (t[0] >>> 32)));
                } else if (p == 1 || p == 3) {
                    long r0 = toInt(c, dbl(t[0]), p == 1, 4);
                    long r1 = toInt(c, dbl(t[1]), p == 1, 4);
                    Sse.set(c, d, r0 | (r1 << 32), 0);
                } else {
                    throw c.unknown(in);
                }
            }
            case 0xc2 -> compare(c, in, p, t, d, alo, ahi);
            default -> arith(c, in, b, p, t, d, alo, ahi);
        }
    }

    private static long throwUd(Cpu c, Insn in) {
        throw c.unknown(in);
    }

    private static void arith(Cpu c, Insn in, int b, int p, long[] t, int d, long alo, long ahi) {
        if ((b == 0x52 || b == 0x53) && (p == 1 || p == 3)) {
            throw c.unknown(in);
        }
        switch (p) {
            case 0 -> {
                Sse.src128(c, in, t, false);
                long r0 = bits(opF(b, f(alo), f(t[0])));
                long r1 = bits(opF(b, f(alo >>> 32), f(t[0] >>> 32)));
                long r2 = bits(opF(b, f(ahi), f(t[1])));
                long r3 = bits(opF(b, f(ahi >>> 32), f(t[1] >>> 32)));
                Sse.set(c, d, r0 | (r1 << 32), r2 | (r3 << 32));
            }
            case 1 -> {
                Sse.src128(c, in, t, false);
                Sse.set(c, d, bits(opD(b, dbl(alo), dbl(t[0]))), bits(opD(b, dbl(ahi), dbl(t[1]))));
            }
            case 2 -> {
                float y = f(Sse.src32(c, in));
                Sse.set(c, d, (alo & ~0xffffffffL) | bits(opF(b, f(alo), y)), ahi);
            }
            default -> {
                double y = dbl(Sse.src64(c, in));
                Sse.set(c, d, bits(opD(b, dbl(alo), y)), ahi);
            }
        }
    }

    private static void convert(Cpu c, Insn in, int p, long[] t, int d, long alo, long ahi) {
        switch (p) {
            case 0 -> {
                long v = Sse.src64(c, in);
                Sse.set(c, d, bits((double) f(v)), bits((double) f(v >>> 32)));
            }
            case 1 -> {
                Sse.src128(c, in, t, false);
                Sse.set(c, d, bits((float) dbl(t[0])) | (bits((float) dbl(t[1])) << 32), 0);
            }
            case 2 -> Sse.set(c, d, bits((double) f(Sse.src32(c, in))), ahi);
            default -> Sse.set(c, d, (alo & ~0xffffffffL) | bits((float) dbl(Sse.src64(c, in))), ahi);
        }
    }

    private static void compare(Cpu c, Insn in, int p, long[] t, int d, long alo, long ahi) {
        int pred = (int) in.imm;
        switch (p) {
            case 0 -> {
                Sse.src128(c, in, t, false);
                long r = 0;
                long rh = 0;
                for (int i = 0; i < 2; i++) {
                    if (cmp(pred, f(alo >>> (32 * i)), f(t[0] >>> (32 * i)))) {
                        r |= 0xffffffffL << (32 * i);
                    }
                    if (cmp(pred, f(ahi >>> (32 * i)), f(t[1] >>> (32 * i)))) {
                        rh |= 0xffffffffL << (32 * i);
                    }
                }
                Sse.set(c, d, r, rh);
            }
            case 1 -> {
                Sse.src128(c, in, t, false);
                Sse.set(c, d, cmp(pred, dbl(alo), dbl(t[0])) ? -1L : 0, cmp(pred, dbl(ahi), dbl(t[1])) ? -1L : 0);
            }
            case 2 -> {
                boolean r = cmp(pred, f(alo), f(Sse.src32(c, in)));
                Sse.set(c, d, (alo & ~0xffffffffL) | (r ? 0xffffffffL : 0), ahi);
            }
            default -> Sse.set(c, d, cmp(pred, dbl(alo), dbl(Sse.src64(c, in))) ? -1L : 0, ahi);
        }
    }
}
