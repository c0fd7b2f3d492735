package io.jvirt.vmm.accel.tcg.cpu;

/** SSE/SSE2 data movement, masks, logic, shuffles and unpacks of whole registers. */
final class SseMove {
    private SseMove() {
    }

    private static int dword(long lo, long hi, int i) {
        return (int) ((i < 2 ? lo : hi) >>> (32 * (i & 1)));
    }

    private static long pack(int a, int b) {
        return (a & 0xffffffffL) | ((long) b << 32);
    }

    static void exec(Cpu c, Insn in, int b, int p, long[] t) {
        int d = in.reg;
        switch (b) {
            case 0x10 -> {
                if (p <= 1) {
                    Sse.src128(c, in, t, false);
                    Sse.set(c, d, t[0], t[1]);
                } else if (p == 2) {
                    if (in.mod == 3) {
                        Sse.set(c, d, (Sse.lo(c, d) & ~0xffffffffL) | (Sse.lo(c, in.rm) & 0xffffffffL), Sse.hi(c, d));
                    } else {
                        Sse.set(c, d, Sse.src32(c, in) & 0xffffffffL, 0);
                    }
                } else {
                    if (in.mod == 3) {
                        Sse.set(c, d, Sse.lo(c, in.rm), Sse.hi(c, d));
                    } else {
                        Sse.set(c, d, Sse.src64(c, in), 0);
                    }
                }
            }
            case 0x11 -> {
                if (p <= 1) {
                    Sse.store128(c, in, Sse.lo(c, d), Sse.hi(c, d), false);
                } else if (p == 2) {
                    if (in.mod == 3) {
                        Sse.set(c, in.rm, (Sse.lo(c, in.rm) & ~0xffffffffL) | (Sse.lo(c, d) & 0xffffffffL), Sse.hi(c, in.rm));
                    } else {
                        c.mmu.write32(c.addr(in), (int) Sse.lo(c, d));
                    }
                } else {
                    if (in.mod == 3) {
                        Sse.set(c, in.rm, Sse.lo(c, d), Sse.hi(c, in.rm));
                    } else {
                        c.mmu.write64(c.addr(in), Sse.lo(c, d));
                    }
                }
            }
            case 0x12 -> {
                if (p > 1) {
                    throw c.unknown(in);
                }
                long v = in.mod == 3 ? (p == 0 ? Sse.hi(c, in.rm) : throwUd(c, in)) : c.mmu.read64(c.addr(in));
                Sse.set(c, d, v, Sse.hi(c, d));
            }
            case 0x13, 0x17 -> {
                if (p > 1 || in.mod == 3) {
                    throw c.unknown(in);
                }
                c.mmu.write64(c.addr(in), b == 0x13 ? Sse.lo(c, d) : Sse.hi(c, d));
            }
            case 0x16 -> {
                if (p > 1) {
                    throw c.unknown(in);
                }
                long v = in.mod == 3 ? (p == 0 ? Sse.lo(c, in.rm) : throwUd(c, in)) : c.mmu.read64(c.addr(in));
                Sse.set(c, d, Sse.lo(c, d), v);
            }
            case 0x28 -> {
                if (p > 1) {
                    throw c.unknown(in);
                }
                Sse.src128(c, in, t, true);
                Sse.set(c, d, t[0], t[1]);
            }
            case 0x29, 0x2b, 0xe7 -> {
                if (p > 1 || (b != 0x29 && in.mod == 3) || (b == 0xe7 && p != 1)) {
                    throw c.unknown(in);
                }
                Sse.store128(c, in, Sse.lo(c, d), Sse.hi(c, d), true);
            }
            case 0x50 -> {
                if (p > 1 || in.mod != 3) {
                    throw c.unknown(in);
                }
                long lo = Sse.lo(c, in.rm);
                long hi = Sse.hi(c, in.rm);
                long m = p == 0
                        ? ((lo >>> 31) & 1) | ((lo >>> 62) & 2) | (((hi >>> 31) & 1) << 2) | (((hi >>> 63) & 1) << 3)
                        : (lo >>> 63) | ((hi >>> 63) << 1);
                c.setReg(in.reg, 4, m);
            }
            case 0x6e -> {
                if (p != 1) {
                    throw c.unknown(in);
                }
                long v = in.osz == 8 ? c.readRm(in, 8) : c.readRm(in, 4);
                Sse.set(c, d, v, 0);
            }
            case 0x6f -> {
                if (p == 3) {
                    throw c.unknown(in);
                }
                Sse.src128(c, in, t, p == 1);
                Sse.set(c, d, t[0], t[1]);
            }
            case 0x7e -> {
                if (p == 1) {
                    c.writeRm(in, in.osz == 8 ? 8 : 4, Sse.lo(c, d));
                } else if (p == 2) {
                    Sse.set(c, d, Sse.src64(c, in), 0);
                } else {
                    throw c.unknown(in);
                }
            }
            case 0x7f -> {
                if (p == 3 || p == 0) {
                    throw c.unknown(in);
                }
                Sse.store128(c, in, Sse.lo(c, d), Sse.hi(c, d), p == 1);
            }
            case 0xd6 -> {
                if (p != 1) {
                    throw c.unknown(in);
                }
                if (in.mod == 3) {
                    Sse.set(c, in.rm, Sse.lo(c, d), 0);
                } else {
                    c.mmu.write64(c.addr(in), Sse.lo(c, d));
                }
            }
            case 0xd7 -> {
                if (in.mod != 3) {
                    throw c.unknown(in);
                }
                c.setReg(in.reg, 4, pmovmskb(Sse.lo(c, in.rm), Sse.hi(c, in.rm)));
            }
            case 0xc4 -> {
                int v = (int) c.readRm(in, 2) & 0xffff;
                int k = (int) in.imm & 7;
                long lo = Sse.lo(c, d);
                long hi = Sse.hi(c, d);
                if (k < 4) {
                    lo = (lo & ~(0xffffL << (16 * k))) | ((long) v << (16 * k));
                } else {
                    hi = (hi & ~(0xffffL << (16 * (k - 4)))) | ((long) v << (16 * (k - 4)));
                }
                Sse.set(c, d, lo, hi);
            }
            case 0xc5 -> {
                if (in.mod != 3) {
                    throw c.unknown(in);
                }
                int k = (int) in.imm & 7;
                long v = ((k < 4 ? Sse.lo(c, in.rm) : Sse.hi(c, in.rm)) >>> (16 * (k & 3))) & 0xffff;
                c.setReg(in.reg, 4, v);
            }
            default -> throw c.unknown(in);
        }
    }

    private static long throwUd(Cpu c, Insn in) {
        throw c.unknown(in);
    }

    static long pmovmskb(long lo, long hi) {
        long m = 0;
        for (int i = 0; i < 8; i++) {
            m |= ((lo >>> (8 * i + 7)) & 1) << i;
            m |= ((hi >>> (8 * i + 7)) & 1) << (i + 8);
        }
        return m;
    }

    static void shuffle(Cpu c, Insn in, int b, int p, long[] t) {
        int d = in.reg;
        Sse.src128(c, in, t, false);
        long alo = Sse.lo(c, d);
        long ahi = Sse.hi(c, d);
        long blo = t[0];
        long bhi = t[1];
        switch (b) {
            case 0x14 -> {
                if (p == 0) {
                    Sse.set(c, d, pack((int) alo, (int) blo), pack((int) (alo >>> 32), (int) (blo >>> 32)));
                } else if (p == 1) {
                    Sse.set(c, d, alo, blo);
                } else {
                    throw c.unknown(in);
                }
            }
            case 0x15 -> {
                if (p == 0) {
                    Sse.set(c, d, pack((int) ahi, (int) bhi), pack((int) (ahi >>> 32), (int) (bhi >>> 32)));
                } else if (p == 1) {
                    Sse.set(c, d, ahi, bhi);
                } else {
                    throw c.unknown(in);
                }
            }
            case 0x54 -> Sse.set(c, d, alo & blo, ahi & bhi);
            case 0x55 -> Sse.set(c, d, ~alo & blo, ~ahi & bhi);
            case 0x56 -> Sse.set(c, d, alo | blo, ahi | bhi);
            case 0x57 -> Sse.set(c, d, alo ^ blo, ahi ^ bhi);
            case 0x70 -> {
                int imm = (int) in.imm;
                if (p == 1) {
                    int[] s = {dword(blo, bhi, imm & 3), dword(blo, bhi, (imm >> 2) & 3),
                            dword(blo, bhi, (imm >> 4) & 3), dword(blo, bhi, (imm >> 6) & 3)};
                    Sse.set(c, d, pack(s[0], s[1]), pack(s[2], s[3]));
                } else if (p == 2) {
                    Sse.set(c, d, blo, shufWords(bhi, imm));
                } else if (p == 3) {
                    Sse.set(c, d, shufWords(blo, imm), bhi);
                } else {
                    throw c.unknown(in);
                }
            }
            default -> { // 0xc6
                int imm = (int) in.imm;
                if (p == 0) {
                    Sse.set(c, d, pack(dword(alo, ahi, imm & 3), dword(alo, ahi, (imm >> 2) & 3)),
                            pack(dword(blo, bhi, (imm >> 4) & 3), dword(blo, bhi, (imm >> 6) & 3)));
                } else if (p == 1) {
                    Sse.set(c, d, (imm & 1) == 0 ? alo : ahi, (imm & 2) == 0 ? blo : bhi);
                } else {
                    throw c.unknown(in);
                }
            }
        }
    }

    private static long shufWords(long v, int imm) {
        long r = 0;
        for (int i = 0; i < 4; i++) {
            int sel = (imm >> (2 * i)) & 3;
            r |= ((v >>> (16 * sel)) & 0xffff) << (16 * i);
        }
        return r;
    }
}
