package io.jvirt.vmm.difftest;

import static io.jvirt.vmm.difftest.Insn.AF;
import static io.jvirt.vmm.difftest.Insn.ARITH;
import static io.jvirt.vmm.difftest.Insn.CF;
import static io.jvirt.vmm.difftest.Insn.OF;
import static io.jvirt.vmm.difftest.Insn.PF;
import static io.jvirt.vmm.difftest.Insn.SF;
import static io.jvirt.vmm.difftest.Insn.ZF;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded random x86-64 instruction sequences for the differential tests: integer ALU, shifts
 * and rotates, multiplies, bit tests, moves, LEA, CMOVcc/SETcc, BSWAP, XCHG, in 8/16/32/64-bit
 * forms, on registers and on [RBX+disp8] in the data window. Nothing generated faults,
 * branches, or writes RSP or RBX. Encodings follow Intel SDM vol. 2 (ModRM/SIB/REX tables).
 */
final class InsnGen {

    /** Registers a generated instruction may write: all but RBX (the data base) and RSP. */
    private static final int[] WRITABLE = {0, 1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    private static final String[] ALU = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
    private static final String[] SHIFT = {"rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"};
    private static final String[] BT = {"bt", "bts", "btr", "btc"};
    private static final long[] SPECIAL = {0, 1, 2, -1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff,
        0x7fffffffL, 0x80000000L, 0xffffffffL, 0x100000000L, Long.MAX_VALUE, Long.MIN_VALUE};

    private final Random rnd;

    InsnGen(long seed) {
        this.rnd = new Random(seed);
    }

    DiffCase nextCase(int maxInsns) {
        long[] gpr = new long[16];
        for (int i = 0; i < 16; i++) {
            gpr[i] = value();
        }
        gpr[DiffCase.RBX] = DiffCase.DATA + 128;
        gpr[DiffCase.RSP] = 0;
        byte[] mem = new byte[DiffCase.MEM];
        for (int i = 0; i < mem.length; i += 8) {
            long v = value();
            for (int j = 0; j < 8; j++) {
                mem[i + j] = (byte) (v >>> (8 * j));
            }
        }
        long rflags = 0x2 | (rnd.nextLong() & ARITH);
        int n = 1 + rnd.nextInt(maxInsns);
        List<Insn> insns = new ArrayList<>(n);
        int undefined = 0;
        while (insns.size() < n) {
            Insn i = next();
            if ((i.reads() & undefined) != 0) {
                continue; // its result would depend on an undefined flag: not comparable
            }
            undefined = (undefined & ~i.defined()) | i.undefined();
            insns.add(i);
        }
        return new DiffCase(gpr, rflags, mem, insns);
    }

    private long value() {
        return switch (rnd.nextInt(4)) {
            case 0 -> SPECIAL[rnd.nextInt(SPECIAL.length)];
            case 1 -> SPECIAL[rnd.nextInt(SPECIAL.length)] + rnd.nextInt(5) - 2;
            case 2 -> rnd.nextInt(256) - 128;
            default -> rnd.nextLong();
        };
    }

    private int w() {
        return WRITABLE[rnd.nextInt(WRITABLE.length)];
    }

    private int any() {
        int r;
        do {
            r = rnd.nextInt(16);
        } while (r == DiffCase.RSP);
        return r;
    }

    private int size() {
        return new int[] {8, 16, 32, 64}[rnd.nextInt(4)];
    }

    private int size3264() {
        return rnd.nextBoolean() ? 32 : 64;
    }

    private int disp(int size) {
        return rnd.nextInt(256 - size / 8 + 1) - 128;
    }

    Insn next() {
        int kind = rnd.nextInt(20);
        switch (kind) {
            case 0, 1, 2 -> { // ALU r/m, r (register form)
                int op = rnd.nextInt(8), s = size(), d = w(), src = any();
                return alu(op, enc(s, new int[] {op * 8 + (s == 8 ? 0 : 1)}, src, d, null), s,
                        ALU[op] + " " + r(d, s) + ", " + r(src, s));
            }
            case 3 -> { // ALU r/m, imm
                int op = rnd.nextInt(8), s = size(), d = w();
                boolean imm8 = s == 8 || rnd.nextBoolean();
                long imm = imm8 ? (byte) rnd.nextInt() : (int) value();
                int opc = s == 8 ? 0x80 : imm8 ? 0x83 : 0x81;
                byte[] e = cat(enc(s, new int[] {opc}, op, d, null), imm(imm, imm8 ? 1 : Math.min(s, 32) / 8));
                return alu(op, e, s, ALU[op] + " " + r(d, s) + ", " + imm);
            }
            case 4 -> { // ALU r, [mem]
                int op = rnd.nextInt(8), s = size(), d = w(), disp = disp(s);
                return alu(op, enc(s, new int[] {op * 8 + (s == 8 ? 2 : 3)}, d, -1, disp), s,
                        ALU[op] + " " + r(d, s) + ", [rbx" + sgn(disp) + "]");
            }
            case 5 -> { // ALU [mem], r
                int op = rnd.nextInt(8), s = size(), src = any(), disp = disp(s);
                return alu(op, enc(s, new int[] {op * 8 + (s == 8 ? 0 : 1)}, src, -1, disp), s,
                        ALU[op] + " [rbx" + sgn(disp) + "], " + r(src, s));
            }
            case 6 -> { // INC, DEC, NOT, NEG on a register or memory
                int which = rnd.nextInt(4), s = size();
                boolean mem = rnd.nextInt(3) == 0;
                int d = w(), disp = disp(s);
                int[] opc = {which < 2 ? (s == 8 ? 0xfe : 0xff) : (s == 8 ? 0xf6 : 0xf7)};
                int digit = new int[] {0, 1, 2, 3}[which];
                String[] n = {"inc", "dec", "not", "neg"};
                byte[] e = mem ? enc(s, opc, digit, -1, disp) : enc(s, opc, digit, d, null);
                int def = which < 2 ? ARITH & ~CF : which == 2 ? 0 : ARITH;
                return new Insn(e, n[which] + " " + (mem ? "[rbx" + sgn(disp) + "]" : r(d, s)), def, 0);
            }
            case 7, 8 -> { // shifts and rotates by imm8, 1 or CL (32/64-bit: counts stay below the width)
                int op = rnd.nextInt(8), s = size3264(), d = w();
                int mask = s == 64 ? 63 : 31;
                int form = rnd.nextInt(3);
                int count = form == 1 ? 1 : rnd.nextInt(mask + 8);
                if (s == 32 && (count & mask) == 0) {
                    count = 1 + rnd.nextInt(mask); // 32-bit by 0: whether the upper half clears is model-specific
                }
                byte[] e;
                String text;
                if (form == 0) {
                    e = cat(enc(s, new int[] {0xc1}, op, d, null), new byte[] {(byte) count});
                    text = SHIFT[op] + " " + r(d, s) + ", " + count;
                } else if (form == 1) {
                    e = enc(s, new int[] {0xd1}, op, d, null);
                    text = SHIFT[op] + " " + r(d, s) + ", 1";
                } else { // mov cl, count first, so that the count is known here
                    if (d == 1) {
                        d = 0;
                    }
                    e = cat(new byte[] {(byte) 0xb1, (byte) count}, enc(s, new int[] {0xd3}, op, d, null));
                    text = "mov cl, " + count + "; " + SHIFT[op] + " " + r(d, s) + ", cl";
                }
                return shift(op, count & mask, e, text);
            }
            case 9 -> { // IMUL r, r/m and MUL r/m
                int s = size3264();
                if (rnd.nextBoolean()) {
                    int d = w(), src = any();
                    return new Insn(enc(s, new int[] {0x0f, 0xaf}, d, src, null), "imul " + r(d, s) + ", " + r(src, s),
                            CF | OF, SF | ZF | AF | PF);
                }
                int src = any();
                return new Insn(enc(s, new int[] {0xf7}, 4, src, null), "mul " + r(src, s), CF | OF, SF | ZF | AF | PF);
            }
            case 10 -> { // BT/BTS/BTR/BTC r, imm8: ZF unaffected
                int op = rnd.nextInt(4), s = size3264(), d = w(), bit = rnd.nextInt(256);
                return new Insn(cat(enc(s, new int[] {0x0f, 0xba}, 4 + op, d, null), new byte[] {(byte) bit}),
                        BT[op] + " " + r(d, s) + ", " + bit, CF, OF | SF | AF | PF);
            }
            case 11 -> { // TEST r/m, r
                int s = size(), a = any(), b = any();
                return new Insn(enc(s, new int[] {s == 8 ? 0x84 : 0x85}, b, a, null), "test " + r(a, s) + ", " + r(b, s),
                        ARITH & ~AF, AF);
            }
            case 12 -> { // MOV between registers and memory
                int s = size(), reg = rnd.nextBoolean() ? w() : any(), disp = disp(s);
                boolean load = rnd.nextBoolean();
                if (load) {
                    reg = w();
                }
                int opc = (load ? 0x8a : 0x88) + (s == 8 ? 0 : 1);
                return new Insn(enc(s, new int[] {opc}, reg, -1, disp),
                        load ? "mov " + r(reg, s) + ", [rbx" + sgn(disp) + "]" : "mov [rbx" + sgn(disp) + "], " + r(reg, s), 0, 0);
            }
            case 13 -> { // MOVZX/MOVSX r, r/m8|16, MOVSXD
                int s = size3264(), d = w(), src = any(), which = rnd.nextInt(5);
                if (which == 4) {
                    return new Insn(enc(64, new int[] {0x63}, d, src, null), "movsxd " + r(d, 64) + ", " + r(src, 32), 0, 0);
                }
                int[] opc = {0x0f, new int[] {0xb6, 0xb7, 0xbe, 0xbf}[which]};
                int srcSize = which % 2 == 0 ? 8 : 16;
                byte[] e = enc(s, opc, d, src, null);
                if (srcSize == 8) {
                    e = forceRex(e, s);
                }
                return new Insn(e, (which < 2 ? "movzx " : "movsx ") + r(d, s) + ", " + r(src, srcSize), 0, 0);
            }
            case 14 -> { // LEA r, [rbx + index*scale + disp8]
                int s = size3264(), d = w(), index = any(), scale = rnd.nextInt(4), disp = rnd.nextInt(256) - 128;
                int rex = 0x40 | (s == 64 ? 8 : 0) | ((d >> 3) << 2) | ((index >> 3) << 1);
                ByteArrayOutputStream o = new ByteArrayOutputStream();
                if (rex != 0x40) {
                    o.write(rex);
                }
                o.write(0x8d);
                o.write(0x44 | ((d & 7) << 3));
                o.write((scale << 6) | ((index & 7) << 3) | 3);
                o.write(disp);
                return new Insn(o.toByteArray(), "lea " + r(d, s) + ", [rbx+" + r(index, 64) + "*" + (1 << scale) + sgn(disp) + "]", 0, 0);
            }
            case 15 -> { // CMOVcc r, r (32-bit forms zero-extend even when false) and SETcc r8
                int cc = rnd.nextInt(16), d = w(), src = any();
                if (rnd.nextBoolean()) {
                    int s = size3264();
                    return new Insn(enc(s, new int[] {0x0f, 0x40 + cc}, d, src, null), "cmov" + cc + " " + r(d, s) + ", " + r(src, s),
                            0, 0, Insn.conditionReads(cc));
                }
                return new Insn(enc(8, new int[] {0x0f, 0x90 + cc}, 0, d, null), "set" + cc + " " + r(d, 8), 0, 0,
                        Insn.conditionReads(cc));
            }
            case 16 -> { // BSWAP and XCHG
                int s = size3264(), d = w();
                if (rnd.nextBoolean()) {
                    int rex = 0x40 | (s == 64 ? 8 : 0) | (d >> 3);
                    byte[] e = rex != 0x40 ? new byte[] {(byte) rex, 0x0f, (byte) (0xc8 + (d & 7))}
                            : new byte[] {0x0f, (byte) (0xc8 + (d & 7))};
                    return new Insn(e, "bswap " + r(d, s), 0, 0);
                }
                int e2 = w();
                return new Insn(enc(s, new int[] {0x87}, e2, d, null), "xchg " + r(d, s) + ", " + r(e2, s), 0, 0);
            }
            case 17 -> { // MOV r, imm (64-bit imm or 32-bit zero-extending)
                int d = w();
                long v = value();
                boolean wide = rnd.nextBoolean();
                int rex = 0x40 | (wide ? 8 : 0) | (d >> 3);
                byte[] op = rex != 0x40 ? new byte[] {(byte) rex, (byte) (0xb8 + (d & 7))} : new byte[] {(byte) (0xb8 + (d & 7))};
                return new Insn(cat(op, imm(v, wide ? 8 : 4)), "mov " + r(d, wide ? 64 : 32) + ", " + (wide ? v : (int) v), 0, 0);
            }
            case 18 -> { // CLC, STC, CMC
                int which = rnd.nextInt(3);
                return new Insn(new byte[] {(byte) new int[] {0xf8, 0xf9, 0xf5}[which]},
                        new String[] {"clc", "stc", "cmc"}[which], CF, 0, which == 2 ? CF : 0);
            }
            default -> { // ALU [mem], imm
                int op = rnd.nextInt(8), s = size(), disp = disp(s);
                boolean imm8 = s == 8 || rnd.nextBoolean();
                long imm = imm8 ? (byte) rnd.nextInt() : (int) value();
                int opc = s == 8 ? 0x80 : imm8 ? 0x83 : 0x81;
                byte[] e = cat(enc(s, new int[] {opc}, op, -1, disp), imm(imm, imm8 ? 1 : Math.min(s, 32) / 8));
                return alu(op, e, s, ALU[op] + " [rbx" + sgn(disp) + "], " + imm);
            }
        }
    }

    private static Insn alu(int op, byte[] e, int size, String text) {
        boolean logic = op == 1 || op == 4 || op == 6; // or, and, xor: AF undefined
        int reads = op == 2 || op == 3 ? CF : 0;       // adc, sbb
        return new Insn(e, text + (size == 8 ? " (8)" : ""), logic ? ARITH & ~AF : ARITH, logic ? AF : 0, reads);
    }

    /** SDM "SAL/SAR/SHL/SHR" and "RCL/RCR/ROL/ROR" flags: nothing for a masked count of 0. */
    private static Insn shift(int op, int count, byte[] e, String text) {
        int reads = op == 2 || op == 3 ? CF : 0; // rcl, rcr rotate through CF
        if (count == 0) {
            return new Insn(e, text, 0, 0, reads);
        }
        int of = count == 1 ? OF : 0;
        if (op < 4) { // rotates: CF, OF (count 1 only)
            return new Insn(e, text, CF | of, count == 1 ? 0 : OF, reads);
        }
        return new Insn(e, text, CF | SF | ZF | PF | of, AF | (count == 1 ? 0 : OF));
    }

    /**
     * Encodes [0x66] [REX] opcode ModRM [disp8]: register form when {@code rm >= 0}, else
     * [RBX + disp8] (mod 01, r/m 011). 8-bit forms always carry a REX prefix so that register
     * numbers 4-7 mean SPL/BPL/SIL/DIL rather than AH/CH/DH/BH.
     */
    private static byte[] enc(int size, int[] opcode, int reg, int rm, Integer disp) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        if (size == 16) {
            o.write(0x66);
        }
        int rex = 0x40 | (size == 64 ? 8 : 0) | ((reg >> 3) << 2) | (rm >= 0 ? rm >> 3 : 0);
        if (rex != 0x40 || size == 8) {
            o.write(rex);
        }
        for (int b : opcode) {
            o.write(b);
        }
        if (rm >= 0) {
            o.write(0xc0 | ((reg & 7) << 3) | (rm & 7));
        } else {
            o.write(0x40 | ((reg & 7) << 3) | 3);
            o.write(disp);
        }
        return o.toByteArray();
    }

    /** MOVZX/MOVSX from an 8-bit register: the REX prefix picks SPL..DIL over AH..BH. */
    private static byte[] forceRex(byte[] e, int size) {
        int first = e[0] & 0xff;
        if ((first & 0xf0) == 0x40) {
            return e;
        }
        return cat(new byte[] {0x40}, e);
    }

    private static byte[] imm(long v, int bytes) {
        byte[] b = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    private static byte[] cat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static String sgn(int disp) {
        return disp < 0 ? Integer.toString(disp) : "+" + disp;
    }

    private static String r(int reg, int size) {
        String[] q = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi"};
        String base = reg < 8 ? q[reg] : "r" + reg;
        return base + (size == 64 ? "" : ":" + size);
    }
}
