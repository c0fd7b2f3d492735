package io.jvirt.vmm.accel.tcg.cpu;

/** SSE2 packed integer instructions (66 0F 60–7F, D0–FE): lane arithmetic, compares, shifts, packs, unpacks. */
final class SseInt {
    private SseInt() {
    }

    static long el(long lo, long hi, int i, int bits) {
        int per = 64 / bits;
        long w = i < per ? lo : hi;
        if (bits == 64) {
            return w;
        }
        return (w >>> ((i % per) * bits)) & ((1L << bits) - 1);
    }

    private static long sx(long v, int bits) {
        return (v << (64 - bits)) >> (64 - bits);
    }

    private static long clampS(long v, int bits) {
        long max = (1L << (bits - 1)) - 1;
        long min = -(1L << (bits - 1));
        return Math.max(min, Math.min(max, v));
    }

    private static long lane(int b, long x, long y, int bits) {
        long m = bits == 64 ? -1L : (1L << bits) - 1;
        return switch (b) {
            case 0xfc, 0xfd, 0xfe, 0xd4 -> x + y;
            case 0xf8, 0xf9, 0xfa, 0xfb -> x - y;
            case 0xdc, 0xdd -> Math.min(x + y, m);
            case 0xd8, 0xd9 -> Math.max(x - y, 0);
            case 0xec, 0xed -> clampS(sx(x, bits) + sx(y, bits), bits);
            case 0xe8, 0xe9 -> clampS(sx(x, bits) - sx(y, bits), bits);
            case 0x74, 0x75, 0x76 -> x == y ? m : 0;
            case 0x64, 0x65, 0x66 -> sx(x, bits) > sx(y, bits) ? m : 0;
            case 0xda -> Math.min(x, y);
            case 0xde -> Math.max(x, y);
            case 0xea -> Math.min(sx(x, bits), sx(y, bits));
            case 0xee -> Math.max(sx(x, bits), sx(y, bits));
            case 0xe0, 0xe3 -> (x + y + 1) >>> 1;
            case 0xd5 -> sx(x, bits) * sx(y, bits);
            case 0xe5 -> (sx(x, bits) * sx(y, bits)) >> 16;
            case 0xe4 -> (x * y) >>> 16;
            default -> throw new IllegalStateException("lane op " + b);
        };
    }

    private static int laneBits(int b) {
        return switch (b) {
            case 0xfc, 0xf8, 0xdc, 0xd8, 0xec, 0xe8, 0x74, 0x64, 0xda, 0xde, 0xe0 -> 8;
            case 0xfd, 0xf9, 0xdd, 0xd9, 0xed, 0xe9, 0x75, 0x65, 0xea, 0xee, 0xe3, 0xd5, 0xe5, 0xe4 -> 16;
            case 0xfe, 0xfa, 0x76, 0x66 -> 32;
            default -> 64;
        };
    }

    static void exec(Cpu c, Insn in, int b, int p, long[] t) {
        if (b == 0x77) {
            return; // EMMS
        }
        if (p != 1) {
            throw c.unknown(in);
        }
        int d = in.reg;
        if (b == 0x71 || b == 0x72 || b == 0x73) {
            if (in.mod != 3) {
                throw c.unknown(in);
            }
            shiftImm(c, in, b);
            return;
        }
        if (b == 0xf7) {
            maskmov(c, in);
            return;
        }
        Sse.src128(c, in, t, false);
        long alo = Sse.lo(c, d);
        long ahi = Sse.hi(c, d);
        long blo = t[0];
        long bhi = t[1];
        switch (b) {
            case 0xdb -> Sse.set(c, d, alo & blo, ahi & bhi);
            case 0xdf -> Sse.set(c, d, ~alo & blo, ~ahi & bhi);
            case 0xeb -> Sse.set(c, d, alo | blo, ahi | bhi);
            case 0xef -> Sse.set(c, d, alo ^ blo, ahi ^ bhi);
            case 0x60, 0x61, 0x62, 0x6c -> unpack(c, d, alo, blo, b == 0x60 ? 8 : b == 0x61 ? 16 : b == 0x62 ? 32 : 64);
            case 0x68, 0x69, 0x6a, 0x6d -> unpack(c, d, ahi, bhi, b == 0x68 ? 8 : b == 0x69 ? 16 : b == 0x6a ? 32 : 64);
            case 0x63, 0x67, 0x6b -> pack(c, d, alo, ahi, blo, bhi, b);
            case 0xd1, 0xd2, 0xd3, 0xe1, 0xe2, 0xf1, 0xf2, 0xf3 -> {
                long count = blo;
                int bits = (b & 3) == 1 ? 16 : (b & 3) == 2 ? 32 : 64;
                int kind = b >= 0xf0 ? 6 : b >= 0xe0 ? 4 : 2;
                shift(c, d, kind, bits, count);
            }
            case 0xf4 -> Sse.set(c, d, (alo & 0xffffffffL) * (blo & 0xffffffffL), (ahi & 0xffffffffL) * (bhi & 0xffffffffL));
            case 0xf5 -> {
                long[] r = new long[4];
                for (int i = 0; i < 4; i++) {
                    long s = sx(el(alo, ahi, 2 * i, 16), 16) * sx(el(blo, bhi, 2 * i, 16), 16)
                            + sx(el(alo, ahi, 2 * i + 1, 16), 16) * sx(el(blo, bhi, 2 * i + 1, 16), 16);
                    r[i] = s & 0xffffffffL;
                }
                Sse.set(c, d, r[0] | (r[1] << 32), r[2] | (r[3] << 32));
            }
            case 0xf6 -> {
                long s0 = 0;
                long s1 = 0;
                for (int i = 0; i < 8; i++) {
                    s0 += Math.abs(((alo >>> (8 * i)) & 0xff) - ((blo >>> (8 * i)) & 0xff));
                    s1 += Math.abs(((ahi >>> (8 * i)) & 0xff) - ((bhi >>> (8 * i)) & 0xff));
                }
                Sse.set(c, d, s0, s1);
            }
            default -> {
                int bits;
                switch (b) {
                    case 0xd4, 0xfb, 0xfc, 0xfd, 0xfe, 0xf8, 0xf9, 0xfa, 0xdc, 0xdd, 0xd8, 0xd9, 0xec, 0xed, 0xe8, 0xe9,
                         0x74, 0x75, 0x76, 0x64, 0x65, 0x66, 0xda, 0xde, 0xea, 0xee, 0xe0, 0xe3, 0xd5, 0xe5, 0xe4 -> bits = laneBits(b);
                    default -> throw c.unknown(in);
                }
                int n = 128 / bits;
                long m = bits == 64 ? -1L : (1L << bits) - 1;
                long rlo = 0;
                long rhi = 0;
                int per = 64 / bits;
                for (int i = 0; i < n; i++) {
                    long v = lane(b, el(alo, ahi, i, bits), el(blo, bhi, i, bits), bits) & m;
                    if (i < per) {
                        rlo |= bits == 64 ? v : v << (i * bits);
                    } else {
                        rhi |= bits == 64 ? v : v << ((i - per) * bits);
                    }
                }
                Sse.set(c, d, rlo, rhi);
            }
        }
    }

    private static void unpack(Cpu c, int d, long a, long b, int bits) {
        if (bits == 64) {
            Sse.set(c, d, a, b);
            return;
        }
        long m = (1L << bits) - 1;
        int n = 64 / bits;
        long lo = 0;
        long hi = 0;
        for (int i = 0; i < n; i++) {
            long x = (a >>> (i * bits)) & m;
            long y = (b >>> (i * bits)) & m;
            int k = 2 * i;
            long pair = x | (y << bits);
            int pos = k * bits;
            if (pos < 64) {
                lo |= pair << pos;
            } else {
                hi |= pair << (pos - 64);
            }
        }
        Sse.set(c, d, lo, hi);
    }

    private static void pack(Cpu c, int d, long alo, long ahi, long blo, long bhi, int b) {
        int srcBits = b == 0x6b ? 32 : 16;
        int dstBits = srcBits / 2;
        int n = 128 / srcBits;
        long rlo = 0;
        long rhi = 0;
        long dm = (1L << dstBits) - 1;
        for (int i = 0; i < 2 * n; i++) {
            long v = i < n ? sx(el(alo, ahi, i, srcBits), srcBits) : sx(el(blo, bhi, i - n, srcBits), srcBits);
            long r = b == 0x67 ? Math.max(0, Math.min(255, v)) : clampS(v, dstBits);
            r &= dm;
            int pos = i * dstBits;
            if (pos < 64) {
                rlo |= r << pos;
            } else {
                rhi |= r << (pos - 64);
            }
        }
        Sse.set(c, d, rlo, rhi);
    }

    /** kind 2 = logical right, 4 = arithmetic right, 6 = left. */
    private static void shift(Cpu c, int d, int kind, int bits, long count) {
        long lo = Sse.lo(c, d);
        long hi = Sse.hi(c, d);
        int n = 128 / bits;
        int per = 64 / bits;
        long m = bits == 64 ? -1L : (1L << bits) - 1;
        long rlo = 0;
        long rhi = 0;
        boolean big = Long.compareUnsigned(count, bits - 1) > 0;
        for (int i = 0; i < n; i++) {
            long x = el(lo, hi, i, bits);
            long v;
            if (kind == 4) {
                v = sx(x, bits) >> (big ? bits - 1 : (int) count);
            } else if (big) {
                v = 0;
            } else if (kind == 2) {
                v = x >>> count;
            } else {
                v = x << count;
            }
            v &= m;
            if (i < per) {
                rlo |= bits == 64 ? v : v << (i * bits);
            } else {
                rhi |= bits == 64 ? v : v << ((i - per) * bits);
            }
        }
        Sse.set(c, d, rlo, rhi);
    }

    private static void shiftImm(Cpu c, Insn in, int b) {
        int r = in.reg & 7;
        int d = in.rm;
        long count = in.imm & 0xff;
        int bits = b == 0x71 ? 16 : b == 0x72 ? 32 : 64;
        if (b == 0x73 && (r == 3 || r == 7)) {
            int bytes = (int) Math.min(count, 16);
            long lo = Sse.lo(c, d);
            long hi = Sse.hi(c, d);
            java.math.BigInteger v = new java.math.BigInteger(1, toBytes(lo, hi));
            v = r == 3 ? v.shiftRight(bytes * 8) : v.shiftLeft(bytes * 8);
            long nlo = v.longValue();
            long nhi = v.shiftRight(64).longValue();
            Sse.set(c, d, nlo, nhi);
            return;
        }
        switch (r) {
            case 2 -> shift(c, d, 2, bits, count);
            case 4 -> {
                if (b == 0x73) {
                    throw c.unknown(in);
                }
                shift(c, d, 4, bits, count);
            }
            case 6 -> shift(c, d, 6, bits, count);
            default -> throw c.unknown(in);
        }
    }

    private static byte[] toBytes(long lo, long hi) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[15 - i] = (byte) (lo >>> (8 * i));
            b[7 - i] = (byte) (hi >>> (8 * i));
        }
        return b;
    }

    private static void maskmov(Cpu c, Insn in) {
        if (in.mod != 3) {
            throw c.unknown(in);
        }
        long addr = c.reg(Cpu.RDI, in.asz);
        int seg = in.seg >= 0 ? in.seg : Cpu.DS;
        for (int i = 0; i < 16; i++) {
            long mask = el(Sse.lo(c, in.rm), Sse.hi(c, in.rm), i, 8);
            if ((mask & 0x80) != 0) {
                c.mmu.write8(c.linear(seg, addr + i), (int) el(Sse.lo(c, in.reg), Sse.hi(c, in.reg), i, 8));
            }
        }
    }
}
