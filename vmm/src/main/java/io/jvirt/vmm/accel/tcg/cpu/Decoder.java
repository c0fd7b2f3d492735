package io.jvirt.vmm.accel.tcg.cpu;

/**
 * x86 instruction decoder (Intel SDM vol. 2 ch. 2 and appendix A): prefixes, REX, opcode maps
 * 1, 0F, 0F38, 0F3A, ModRM/SIB/displacement and immediates, for 16-, 32- and 64-bit code.
 * It only finds operands; meaning is the executor's. Decoding is separate from execution so
 * that blocks are decoded once and cached.
 */
final class Decoder {
    // Table flags per opcode.
    static final int M = 1, IB = 2, IZ = 4, IW = 8, IV = 16, MOFFS = 32, END = 64, D64 = 128,
            F64 = 256, INV64 = 512, IWB = 1024, FAR = 2048;

    static final int[] ONE = new int[256];
    static final int[] TWO = new int[256];

    static {
        for (int row = 0; row < 8; row++) {
            int b = row * 8;
            ONE[b] = ONE[b + 1] = ONE[b + 2] = ONE[b + 3] = M;
            ONE[b + 4] = IB;
            ONE[b + 5] = IZ;
        }
        for (int op : new int[]{0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x60, 0x61, 0xd4, 0xd5, 0xd6}) {
            ONE[op] = INV64;
        }
        ONE[0x17] |= END; // pop ss: interrupt shadow
        ONE[0xd4] |= IB;
        ONE[0xd5] |= IB;
        for (int op = 0x50; op < 0x60; op++) {
            ONE[op] = D64;
        }
        ONE[0x62] = M | INV64;
        ONE[0x63] = M;
        ONE[0x68] = IZ | D64;
        ONE[0x69] = M | IZ;
        ONE[0x6a] = IB | D64;
        ONE[0x6b] = M | IB;
        for (int op = 0x70; op < 0x80; op++) {
            ONE[op] = IB | END | F64;
        }
        ONE[0x80] = M | IB;
        ONE[0x81] = M | IZ;
        ONE[0x82] = M | IB | INV64;
        ONE[0x83] = M | IB;
        for (int op = 0x84; op <= 0x8d; op++) {
            ONE[op] = M;
        }
        ONE[0x8e] = M | END;
        ONE[0x8f] = M | D64;
        ONE[0x9a] = INV64 | FAR | END;
        ONE[0x9c] = D64;
        ONE[0x9d] = D64 | END;
        ONE[0xa0] = ONE[0xa1] = ONE[0xa2] = ONE[0xa3] = MOFFS;
        ONE[0xa8] = IB;
        ONE[0xa9] = IZ;
        for (int op = 0xb0; op < 0xb8; op++) {
            ONE[op] = IB;
        }
        for (int op = 0xb8; op < 0xc0; op++) {
            ONE[op] = IV;
        }
        ONE[0xc0] = M | IB;
        ONE[0xc1] = M | IB;
        ONE[0xc2] = IW | END | F64;
        ONE[0xc3] = END | F64;
        ONE[0xc4] = M | INV64;
        ONE[0xc5] = M | INV64;
        ONE[0xc6] = M | IB;
        ONE[0xc7] = M | IZ;
        ONE[0xc8] = IWB | D64;
        ONE[0xc9] = D64;
        ONE[0xca] = IW | END;
        ONE[0xcb] = END;
        ONE[0xcc] = END;
        ONE[0xcd] = IB | END;
        ONE[0xce] = END | INV64;
        ONE[0xcf] = END;
        ONE[0xd0] = ONE[0xd1] = ONE[0xd2] = ONE[0xd3] = M;
        for (int op = 0xd8; op < 0xe0; op++) {
            ONE[op] = M;
        }
        for (int op = 0xe0; op < 0xe4; op++) {
            ONE[op] = IB | END | F64;
        }
        ONE[0xe4] = ONE[0xe5] = ONE[0xe6] = ONE[0xe7] = IB;
        ONE[0xe8] = IZ | END | F64;
        ONE[0xe9] = IZ | END | F64;
        ONE[0xea] = INV64 | FAR | END;
        ONE[0xeb] = IB | END | F64;
        ONE[0xf1] = END;
        ONE[0xf4] = END;
        ONE[0xf6] = ONE[0xf7] = M; // test imm added in decode
        ONE[0xfa] = END;
        ONE[0xfb] = END;
        ONE[0xfe] = M;
        ONE[0xff] = M | END;

        // 0F map
        for (int op : new int[]{0x00, 0x01, 0x02, 0x03, 0x0d}) {
            TWO[op] = M;
        }
        TWO[0x00] |= END;
        TWO[0x01] |= END;
        TWO[0x05] = END;
        TWO[0x06] = END;
        TWO[0x07] = END;
        TWO[0x0b] = END;
        for (int op = 0x10; op < 0x18; op++) {
            TWO[op] = M;
        }
        for (int op = 0x18; op < 0x20; op++) {
            TWO[op] = M;
        }
        for (int op = 0x20; op < 0x24; op++) {
            TWO[op] = M | END;
        }
        for (int op = 0x28; op < 0x30; op++) {
            TWO[op] = M;
        }
        TWO[0x30] = END;
        TWO[0x34] = END;
        TWO[0x35] = END;
        for (int op = 0x40; op < 0x80; op++) {
            TWO[op] = M;
        }
        TWO[0x70] = TWO[0x71] = TWO[0x72] = TWO[0x73] = M | IB;
        TWO[0x77] = 0;
        for (int op = 0x80; op < 0x90; op++) {
            TWO[op] = IZ | END | F64;
        }
        for (int op = 0x90; op < 0xa0; op++) {
            TWO[op] = M;
        }
        TWO[0xa0] = D64;
        TWO[0xa1] = D64 | END;
        TWO[0xa8] = D64;
        TWO[0xa9] = D64 | END;
        TWO[0xa3] = M;
        TWO[0xa4] = M | IB;
        TWO[0xa5] = M;
        TWO[0xab] = M;
        TWO[0xac] = M | IB;
        TWO[0xad] = M;
        TWO[0xae] = M;
        TWO[0xaf] = M;
        for (int op = 0xb0; op < 0xc0; op++) {
            TWO[op] = M;
        }
        TWO[0xb2] |= END;
        TWO[0xba] = M | IB;
        TWO[0xc0] = M;
        TWO[0xc1] = M;
        TWO[0xc2] = M | IB;
        TWO[0xc3] = M;
        TWO[0xc4] = M | IB;
        TWO[0xc5] = M | IB;
        TWO[0xc6] = M | IB;
        TWO[0xc7] = M;
        for (int op = 0xd0; op < 0x100; op++) {
            TWO[op] = M;
        }
    }

    private final Cpu cpu;
    private long pos;
    private long start;
    private int count;
    private final byte[] buf = new byte[16];

    Decoder(Cpu cpu) {
        this.cpu = cpu;
    }

    private int next() {
        if (count >= 15) {
            throw CpuFault.gp(0); // SDM vol. 2 §2.3.11: instructions longer than 15 bytes
        }
        int b = cpu.mmu.fetch8(pos) & 0xff;
        buf[count++] = (byte) b;
        pos = cpu.mode == 64 ? pos + 1 : (pos + 1) & 0xffffffffL;
        return b;
    }

    private long imm(int size) {
        long v = 0;
        for (int i = 0; i < size; i++) {
            v |= (long) next() << (8 * i);
        }
        return switch (size) {
            case 1 -> (byte) v;
            case 2 -> (short) v;
            case 4 -> (int) v;
            default -> v;
        };
    }

    /** Decodes one instruction whose first byte is at linear address {@code lin}. */
    Insn decode(long lin, int mode) {
        start = lin;
        pos = lin;
        count = 0;
        Insn in = new Insn();
        boolean m64 = mode == 64;
        int b;
        int pfx = 0;
        int rex = 0;
        boolean asz67 = false;
        for (;;) {
            b = next();
            switch (b) {
                case 0x66 -> { pfx |= Insn.P66; rex = 0; }
                case 0x67 -> { asz67 = true; rex = 0; }
                case 0xf0 -> { pfx |= Insn.PLOCK; rex = 0; }
                case 0xf2 -> { pfx = (pfx & ~Insn.PF3) | Insn.PF2; rex = 0; }
                case 0xf3 -> { pfx = (pfx & ~Insn.PF2) | Insn.PF3; rex = 0; }
                case 0x26 -> { in.seg = m64 ? in.seg : Cpu.ES; rex = 0; }
                case 0x2e -> { in.seg = m64 ? in.seg : Cpu.CS; rex = 0; }
                case 0x36 -> { in.seg = m64 ? in.seg : Cpu.SS; rex = 0; }
                case 0x3e -> { in.seg = m64 ? in.seg : Cpu.DS; rex = 0; }
                case 0x64 -> { in.seg = Cpu.FS; rex = 0; }
                case 0x65 -> { in.seg = Cpu.GS; rex = 0; }
                default -> {
                    if (m64 && (b & 0xf0) == 0x40) {
                        rex = b;
                        continue;
                    }
                    break;
                }
            }
            if (!(b == 0x66 || b == 0x67 || b == 0xf0 || b == 0xf2 || b == 0xf3 || b == 0x26 || b == 0x2e
                    || b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65)) {
                break;
            }
        }
        in.pfx = pfx;
        in.rex = rex;
        int flags;
        int op;
        if (b == 0x0f) {
            int b2 = next();
            if (b2 == 0x38) {
                op = 0x200 | next();
                flags = M;
            } else if (b2 == 0x3a) {
                op = 0x300 | next();
                flags = M | IB;
            } else {
                op = 0x100 | b2;
                flags = TWO[b2];
            }
        } else {
            op = b;
            flags = ONE[b];
        }
        in.op = op;
        if (m64 && (flags & INV64) != 0) {
            in.op = -1; // #UD at execution
        }
        // sizes
        boolean rexW = (rex & 8) != 0;
        if (m64) {
            in.asz = asz67 ? 4 : 8;
            if (rexW) {
                in.osz = 8;
            } else if ((flags & F64) != 0) {
                in.osz = 8;
            } else if ((flags & D64) != 0) {
                in.osz = (pfx & Insn.P66) != 0 ? 2 : 8;
            } else {
                in.osz = (pfx & Insn.P66) != 0 ? 2 : 4;
            }
        } else {
            boolean big = mode == 32;
            in.asz = (big ^ asz67) ? 4 : 2;
            in.osz = (big ^ ((pfx & Insn.P66) != 0)) ? 4 : 2;
        }
        if (op == 0x120 || op == 0x121 || op == 0x122 || op == 0x123) {
            in.osz = m64 ? 8 : 4;
        }
        in.ends = (flags & END) != 0;
        if ((flags & M) != 0) {
            modrm(in, mode, rex);
        }
        // opcode-specific immediates
        if ((op == 0xf6 || op == 0xf7) && (in.reg & 7) < 2) {
            flags |= op == 0xf6 ? IB : IZ;
        }
        if ((flags & IB) != 0) {
            in.imm = imm(1);
        } else if ((flags & IZ) != 0) {
            in.imm = imm(Math.min(in.osz, 4));
        } else if ((flags & IW) != 0) {
            in.imm = imm(2) & 0xffff;
        } else if ((flags & IV) != 0) {
            in.imm = imm(in.osz);
        } else if ((flags & MOFFS) != 0) {
            in.disp = in.asz == 8 ? imm(8) : imm(in.asz) & (in.asz == 4 ? 0xffffffffL : 0xffffL);
        } else if ((flags & IWB) != 0) {
            in.imm = imm(2) & 0xffff;
            in.imm2 = imm(1) & 0xff;
        } else if ((flags & FAR) != 0) {
            in.imm = imm(in.osz) & (in.osz == 4 ? 0xffffffffL : 0xffffL);
            in.imm2 = imm(2) & 0xffff;
        }
        if (op == 0xff && ((in.reg & 7) < 2 || (in.reg & 7) == 6)) {
            in.ends = false; // INC/DEC/PUSH r/m do not transfer control
        }
        if (op == 0x101 && in.mod == 3) {
            in.ends = true;
        }
        if (op == 0x1ae || op == 0x1c7 || op == 0x1b2 || op == 0x1b4 || op == 0x1b5) {
            in.ends = true;
        }
        in.len = count;
        in.bytes = java.util.Arrays.copyOf(buf, count);
        return in;
    }

    private void modrm(Insn in, int mode, int rex) {
        in.hasModrm = true;
        int m = next();
        int mod = m >> 6;
        int reg = (m >> 3) & 7;
        int rm = m & 7;
        in.mod = mod;
        in.reg = reg | ((rex & 4) << 1);
        if (mod == 3) {
            in.rm = rm | ((rex & 1) << 3);
            return;
        }
        in.rm = rm;
        if (in.asz == 2) {
            switch (rm) {
                case 0 -> { in.base = Cpu.RBX; in.index = Cpu.RSI; }
                case 1 -> { in.base = Cpu.RBX; in.index = Cpu.RDI; }
                case 2 -> { in.base = Cpu.RBP; in.index = Cpu.RSI; in.defSeg = Cpu.SS; }
                case 3 -> { in.base = Cpu.RBP; in.index = Cpu.RDI; in.defSeg = Cpu.SS; }
                case 4 -> in.base = Cpu.RSI;
                case 5 -> in.base = Cpu.RDI;
                case 6 -> { in.base = Cpu.RBP; in.defSeg = Cpu.SS; }
                default -> in.base = Cpu.RBX;
            }
            if (mod == 0 && rm == 6) {
                in.base = -1;
                in.defSeg = Cpu.DS;
                in.disp = imm(2);
            } else if (mod == 1) {
                in.disp = imm(1);
            } else if (mod == 2) {
                in.disp = imm(2);
            }
            return;
        }
        if (rm == 4) {
            int sib = next();
            int ss = sib >> 6;
            int idx = ((sib >> 3) & 7) | ((rex & 2) << 2);
            int bs = sib & 7;
            in.scale = ss;
            in.index = idx == 4 ? -1 : idx;
            if (bs == 5 && mod == 0) {
                in.base = -1;
                in.disp = imm(4);
            } else {
                in.base = bs | ((rex & 1) << 3);
            }
        } else if (rm == 5 && mod == 0) {
            if (mode == 64) {
                in.ripRel = true;
            }
            in.disp = imm(4);
        } else {
            in.base = rm | ((rex & 1) << 3);
        }
        if (in.base == Cpu.RSP || in.base == Cpu.RBP) {
            in.defSeg = Cpu.SS;
        }
        if (mod == 1) {
            in.disp = imm(1);
        } else if (mod == 2) {
            in.disp = imm(4);
        }
    }
}
