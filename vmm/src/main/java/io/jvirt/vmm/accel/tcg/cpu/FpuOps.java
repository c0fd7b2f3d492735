package io.jvirt.vmm.accel.tcg.cpu;

/** x87 instruction semantics (opcodes D8–DF, SDM vol. 2 appendix A.5), over {@link Fpu}. */
final class FpuOps {
    private static final int C0 = 0x100, C1 = 0x200, C2 = 0x400, C3 = 0x4000;

    private FpuOps() {
    }

    private static double arith(int op, double a, double b) {
        return switch (op) {
            case 0 -> a + b;
            case 1 -> a * b;
            case 4 -> a - b;
            case 5 -> b - a;
            case 6 -> a / b;
            case 7 -> b / a;
            default -> a;
        };
    }

    private static void compare(Fpu f, double a, double b) {
        int cc;
        if (Double.isNaN(a) || Double.isNaN(b)) {
            cc = C0 | C2 | C3;
        } else if (a > b) {
            cc = 0;
        } else if (a < b) {
            cc = C0;
        } else {
            cc = C3;
        }
        f.fsw = (f.fsw & ~(C0 | C1 | C2 | C3)) | cc;
    }

    private static void comi(Cpu c, double a, double b) {
        long fl;
        if (Double.isNaN(a) || Double.isNaN(b)) {
            fl = Cpu.ZF | Cpu.PF | Cpu.CF;
        } else if (a > b) {
            fl = 0;
        } else if (a < b) {
            fl = Cpu.CF;
        } else {
            fl = Cpu.ZF;
        }
        Alu.setArith(c, fl);
    }

    static double round(Fpu f, double v) {
        return switch ((f.fcw >> 10) & 3) {
            case 0 -> Math.rint(v);
            case 1 -> Math.floor(v);
            case 2 -> Math.ceil(v);
            default -> v < 0 ? Math.ceil(v) : Math.floor(v);
        };
    }

    private static long toInt(Fpu f, double v, int size, boolean truncate) {
        double r = truncate ? (v < 0 ? Math.ceil(v) : Math.floor(v)) : round(f, v);
        long min = size == 8 ? Long.MIN_VALUE : -(1L << (size * 8 - 1));
        long max = size == 8 ? Long.MAX_VALUE : (1L << (size * 8 - 1)) - 1;
        if (Double.isNaN(r) || r < min || r > max || (size == 8 && r >= 0x1p63)) {
            f.fsw |= 1; // invalid operation
            return min;
        }
        return (long) r;
    }

    static void memory(Cpu c, Fpu f, Insn in, long lin) {
        int r = in.reg & 7;
        switch (in.op) {
            case 0xd8 -> memArith(f, r, Float.intBitsToFloat(c.mmu.read32(lin)));
            case 0xdc -> memArith(f, r, Double.longBitsToDouble(c.mmu.read64(lin)));
            case 0xda -> memArith(f, r, c.mmu.read32(lin));
            case 0xde -> memArith(f, r, (short) c.mmu.read16(lin));
            case 0xd9 -> {
                switch (r) {
                    case 0 -> f.push(Float.intBitsToFloat(c.mmu.read32(lin)));
                    case 2 -> c.mmu.write32(lin, Float.floatToRawIntBits((float) f.get(0)));
                    case 3 -> c.mmu.write32(lin, Float.floatToRawIntBits((float) f.pop()));
                    case 4 -> fldenv(c, f, lin);
                    case 5 -> f.fcw = c.mmu.read16(lin);
                    case 6 -> fnstenv(c, f, lin);
                    case 7 -> c.mmu.write16(lin, f.fcw);
                    default -> throw c.unknown(in);
                }
            }
            case 0xdb -> {
                switch (r) {
                    case 0 -> f.push(c.mmu.read32(lin));
                    case 1 -> c.mmu.write32(lin, (int) toInt(f, f.pop(), 4, true));
                    case 2 -> c.mmu.write32(lin, (int) toInt(f, f.get(0), 4, false));
                    case 3 -> c.mmu.write32(lin, (int) toInt(f, f.pop(), 4, false));
                    case 5 -> f.push(Fpu.readExtended(c, lin));
                    case 7 -> Fpu.writeExtended(c, lin, f.pop());
                    default -> throw c.unknown(in);
                }
            }
            case 0xdd -> {
                switch (r) {
                    case 0 -> f.push(Double.longBitsToDouble(c.mmu.read64(lin)));
                    case 1 -> c.mmu.write64(lin, toInt(f, f.pop(), 8, true));
                    case 2 -> c.mmu.write64(lin, Double.doubleToRawLongBits(f.get(0)));
                    case 3 -> c.mmu.write64(lin, Double.doubleToRawLongBits(f.pop()));
                    case 7 -> c.mmu.write16(lin, f.status());
                    default -> throw c.unknown(in);
                }
            }
            default -> { // 0xdf
                switch (r) {
                    case 0 -> f.push((short) c.mmu.read16(lin));
                    case 1 -> c.mmu.write16(lin, (int) toInt(f, f.pop(), 2, true));
                    case 2 -> c.mmu.write16(lin, (int) toInt(f, f.get(0), 2, false));
                    case 3 -> c.mmu.write16(lin, (int) toInt(f, f.pop(), 2, false));
                    case 5 -> f.push((double) c.mmu.read64(lin));
                    case 7 -> c.mmu.write64(lin, toInt(f, f.pop(), 8, false));
                    default -> throw c.unknown(in);
                }
            }
        }
    }

    private static void memArith(Fpu f, int r, double m) {
        if (r == 2 || r == 3) {
            compare(f, f.get(0), m);
            if (r == 3) {
                f.pop();
            }
            return;
        }
        f.set(0, arith(r, f.get(0), m));
    }

    /** FNSTENV / FLDENV, 28-byte protected-mode 32-bit format (SDM vol. 1 figure 8-9). */
    private static void fnstenv(Cpu c, Fpu f, long lin) {
        c.mmu.write32(lin, f.fcw | 0xffff0000);
        c.mmu.write32(lin + 4, f.status() | 0xffff0000);
        int tw = 0;
        for (int i = 0; i < 8; i++) {
            tw |= ((f.tags >> i) & 1) != 0 ? 3 << (2 * i) : 0;
        }
        c.mmu.write32(lin + 8, tw | 0xffff0000);
        for (int k = 12; k < 28; k += 4) {
            c.mmu.write32(lin + k, 0);
        }
        f.fcw |= 0x3f; // FNSTENV masks all exceptions
    }

    private static void fldenv(Cpu c, Fpu f, long lin) {
        f.fcw = c.mmu.read16(lin);
        int sw = c.mmu.read16(lin + 4);
        f.top = (sw >> 11) & 7;
        f.fsw = sw & ~0x3800;
        int tw = c.mmu.read16(lin + 8);
        f.tags = 0;
        for (int i = 0; i < 8; i++) {
            if (((tw >> (2 * i)) & 3) == 3) {
                f.tags |= 1 << i;
            }
        }
    }

    static void register(Cpu c, Fpu f, Insn in) {
        int r = in.reg & 7;
        int i = in.rm & 7;
        int modrm = 0xc0 | (r << 3) | i;
        switch (in.op) {
            case 0xd8 -> memArith(f, r, f.get(i));
            case 0xdc, 0xde -> {
                boolean popAfter = in.op == 0xde;
                if (r == 2 || r == 3) {
                    compare(f, f.get(0), f.get(i));
                    if (r == 3 || popAfter) {
                        f.pop();
                    }
                    if (popAfter && r == 3) {
                        f.pop();
                    }
                    return;
                }
                double a = f.get(i);
                double b = f.get(0);
                double v = switch (r) {
                    case 0 -> a + b;
                    case 1 -> a * b;
                    case 4 -> b - a;
                    case 5 -> a - b;
                    case 6 -> b / a;
                    default -> a / b;
                };
                f.set(i, v);
                if (popAfter) {
                    f.pop();
                }
            }
            case 0xd9 -> d9(c, f, in, modrm, i);
            case 0xda -> {
                if (modrm == 0xe9) {
                    compare(f, f.get(0), f.get(1));
                    f.pop();
                    f.pop();
                } else if (r < 4) {
                    if (fcmov(c, r, false)) {
                        f.set(0, f.get(i));
                    }
                } else {
                    throw c.unknown(in);
                }
            }
            case 0xdb -> {
                if (modrm == 0xe2) {
                    f.fsw &= 0x7f00;
                } else if (modrm == 0xe3) {
                    f.fninit();
                } else if (r < 4) {
                    if (fcmov(c, r, true)) {
                        f.set(0, f.get(i));
                    }
                } else if (r == 5 || r == 6) {
                    comi(c, f.get(0), f.get(i));
                } else if (modrm == 0xe4 || modrm == 0xe0 || modrm == 0xe1) {
                    // FNSETPM / FENI / FDISI: no-ops on 387+
                } else {
                    throw c.unknown(in);
                }
            }
            case 0xdd -> {
                switch (r) {
                    case 0 -> f.tags |= 1 << ((f.top + i) & 7);
                    case 2 -> f.set(i, f.get(0));
                    case 3 -> {
                        f.set(i, f.get(0));
                        f.pop();
                    }
                    case 4 -> compare(f, f.get(0), f.get(i));
                    case 5 -> {
                        compare(f, f.get(0), f.get(i));
                        f.pop();
                    }
                    default -> throw c.unknown(in);
                }
            }
            default -> { // 0xdf
                if (modrm == 0xe0) {
                    c.setReg(0, 2, f.status());
                } else if (r == 5 || r == 6) {
                    comi(c, f.get(0), f.get(i));
                    f.pop();
                } else if (r == 0) {
                    f.tags |= 1 << ((f.top + i) & 7);
                    f.pop();
                } else {
                    throw c.unknown(in);
                }
            }
        }
    }

    private static boolean fcmov(Cpu c, int r, boolean negate) {
        long fl = c.flags;
        boolean cond = switch (r) {
            case 0 -> (fl & Cpu.CF) != 0;
            case 1 -> (fl & Cpu.ZF) != 0;
            case 2 -> (fl & (Cpu.CF | Cpu.ZF)) != 0;
            default -> (fl & Cpu.PF) != 0;
        };
        return cond != negate;
    }

    private static void d9(Cpu c, Fpu f, Insn in, int modrm, int i) {
        if (modrm >= 0xc0 && modrm <= 0xc7) {
            f.push(f.get(i));
            return;
        }
        if (modrm >= 0xc8 && modrm <= 0xcf) {
            double t = f.get(0);
            f.set(0, f.get(i));
            f.set(i, t);
            return;
        }
        double x = f.get(0);
        switch (modrm) {
            case 0xd0 -> {
            }
            case 0xe0 -> f.set(0, -x);
            case 0xe1 -> f.set(0, Math.abs(x));
            case 0xe4 -> compare(f, x, 0.0);
            case 0xe5 -> fxam(f, x);
            case 0xe8 -> f.push(1.0);
            case 0xe9 -> f.push(Math.log(10) / Math.log(2));
            case 0xea -> f.push(1 / Math.log(2));
            case 0xeb -> f.push(Math.PI);
            case 0xec -> f.push(Math.log10(2));
            case 0xed -> f.push(Math.log(2));
            case 0xee -> f.push(0.0);
            case 0xf0 -> f.set(0, Math.pow(2, x) - 1);
            case 0xf1 -> {
                double y = f.get(1);
                f.pop();
                f.set(0, y * (Math.log(x) / Math.log(2)));
            }
            case 0xf2 -> {
                f.set(0, Math.tan(x));
                f.push(1.0);
            }
            case 0xf3 -> {
                double y = f.get(1);
                f.pop();
                f.set(0, Math.atan2(y, x));
            }
            case 0xf4 -> {
                int e = x == 0 ? 0 : Math.getExponent(x);
                f.set(0, e);
                f.push(x == 0 ? x : Math.scalb(x, -e));
            }
            case 0xf5, 0xf8 -> {
                double y = f.get(1);
                double q = modrm == 0xf8 ? (x / y < 0 ? Math.ceil(x / y) : Math.floor(x / y)) : Math.rint(x / y);
                f.set(0, x - q * y);
                long qi = (long) Math.abs(q);
                f.fsw = (f.fsw & ~(C0 | C1 | C2 | C3)) | ((qi & 4) != 0 ? C0 : 0) | ((qi & 2) != 0 ? C3 : 0) | ((qi & 1) != 0 ? C1 : 0);
            }
            case 0xf6 -> f.top = (f.top - 1) & 7;
            case 0xf7 -> f.top = (f.top + 1) & 7;
            case 0xf9 -> {
                double y = f.get(1);
                f.pop();
                f.set(0, y * (Math.log1p(x) / Math.log(2)));
            }
            case 0xfa -> f.set(0, Math.sqrt(x));
            case 0xfb -> {
                f.set(0, Math.sin(x));
                f.push(Math.cos(x));
            }
            case 0xfc -> f.set(0, round(f, x));
            case 0xfd -> f.set(0, Math.scalb(x, (int) Math.max(-2000, Math.min(2000, f.get(1) < 0 ? Math.ceil(f.get(1)) : Math.floor(f.get(1))))));
            case 0xfe -> f.set(0, Math.sin(x));
            case 0xff -> f.set(0, Math.cos(x));
            default -> throw c.unknown(in);
        }
    }

    private static void fxam(Fpu f, double x) {
        int cc;
        boolean empty = (f.tags & (1 << f.top)) != 0;
        if (empty) {
            cc = C3 | C0;
        } else if (Double.isNaN(x)) {
            cc = C0;
        } else if (Double.isInfinite(x)) {
            cc = C2 | C0;
        } else if (x == 0) {
            cc = C3;
        } else if (Math.abs(x) < Double.MIN_NORMAL) {
            cc = C3 | C2;
        } else {
            cc = C2;
        }
        if ((Double.doubleToRawLongBits(x) < 0)) {
            cc |= C1;
        }
        f.fsw = (f.fsw & ~(C0 | C1 | C2 | C3)) | cc;
    }
}
