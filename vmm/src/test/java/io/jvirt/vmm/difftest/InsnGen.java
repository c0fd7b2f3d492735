package io.jvirt.vmm.difftest;

import static io.jvirt.vmm.difftest.Insn.AF;
import static io.jvirt.vmm.difftest.Insn.ARITH;
import static io.jvirt.vmm.difftest.Insn.CF;
import static io.jvirt.vmm.difftest.Insn.OF;
import static io.jvirt.vmm.difftest.Insn.PF;
import static io.jvirt.vmm.difftest.Insn.SF;
import static io.jvirt.vmm.difftest.Insn.ZF;
import static io.jvirt.vmm.difftest.X86Encoding.cat;
import static io.jvirt.vmm.difftest.X86Encoding.enc;
import static io.jvirt.vmm.difftest.X86Encoding.forceRex;
import static io.jvirt.vmm.difftest.X86Encoding.imm;
import static io.jvirt.vmm.difftest.X86Encoding.lea;
import static io.jvirt.vmm.difftest.X86Encoding.r;
import static io.jvirt.vmm.difftest.X86Encoding.sgn;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded random x86-64 instruction sequences for the differential tests: integer ALU (AH..DH
 * included), shifts, rotates, SHLD/SHRD, multiplies and divides, bit tests and scans, moves and
 * sign extensions, LEA, CMOVcc/SETcc, BSWAP, XCHG/XADD/CMPXCHG, string instructions, in
 * 8/16/32/64-bit forms on registers and on [RBX+disp8] in the data window. Nothing generated
 * faults, branches, or writes RSP or RBX, and no instruction reads a flag left undefined. Encodings follow Intel SDM vol. 2 (ModRM/SIB/REX tables).
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
        int kind = rnd.nextInt(37);
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
            case 20 -> { // ALU on AL..BH without REX: 4-7 are AH, CH, DH, BH (BL and BH never written)
                int op = rnd.nextInt(8), d = new int[] {0, 1, 2, 4, 5, 6}[rnd.nextInt(6)], src = rnd.nextInt(8);
                String[] h = {"al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"};
                return alu(op, new byte[] {(byte) (op * 8), (byte) (0xc0 | (src << 3) | d)}, 8,
                        ALU[op] + " " + h[d] + ", " + h[src]);
            }
            case 21 -> { // CBW/CWDE/CDQE, CWD/CDQ/CQO
                int s = new int[] {16, 32, 64}[rnd.nextInt(3)];
                boolean widen = rnd.nextBoolean();
                int op = widen ? 0x98 : 0x99;
                byte[] e = s == 16 ? new byte[] {0x66, (byte) op} : s == 32 ? new byte[] {(byte) op} : new byte[] {0x48, (byte) op};
                String[][] n = {{"cbw", "cwde", "cdqe"}, {"cwd", "cdq", "cqo"}};
                return new Insn(e, n[widen ? 0 : 1][s == 16 ? 0 : s == 32 ? 1 : 2], 0, 0);
            }
            case 22 -> { // XADD r/m, r: flags as ADD
                int s = size(), d = w(), src = w();
                return new Insn(enc(s, new int[] {0x0f, s == 8 ? 0xc0 : 0xc1}, src, d, null),
                        "xadd " + r(d, s) + ", " + r(src, s), ARITH, 0);
            }
            case 23 -> { // CMPXCHG r/m, r with RAX: flags as CMP (64/16/8-bit: the 32-bit write-back is model-specific)
                int s = new int[] {8, 16, 64}[rnd.nextInt(3)], d = w(), src = any();
                return new Insn(enc(s, new int[] {0x0f, s == 8 ? 0xb0 : 0xb1}, src, d, null),
                        "cmpxchg " + r(d, s) + ", " + r(src, s), ARITH, 0);
            }
            case 24 -> { // SHLD/SHRD r/m, r, imm8 (32/64-bit; a masked count of 0 avoided for 32-bit)
                int s = size3264(), d = w(), src = any(), mask = s == 64 ? 63 : 31;
                int count = 1 + rnd.nextInt(mask);
                boolean left = rnd.nextBoolean();
                byte[] e = cat(enc(s, new int[] {0x0f, left ? 0xa4 : 0xac}, src, d, null), new byte[] {(byte) count});
                int of = count == 1 ? OF : 0;
                return new Insn(e, (left ? "shld " : "shrd ") + r(d, s) + ", " + r(src, s) + ", " + count,
                        CF | SF | ZF | PF | of, AF | (count == 1 ? 0 : OF));
            }
            case 25 -> { // IMUL r, r/m, imm8|imm32
                int s = new int[] {16, 32, 64}[rnd.nextInt(3)], d = w(), src = any();
                boolean imm8 = rnd.nextBoolean();
                long imm = imm8 ? (byte) rnd.nextInt() : (int) value();
                byte[] e = cat(enc(s, new int[] {imm8 ? 0x6b : 0x69}, d, src, null), imm(imm, imm8 ? 1 : s == 16 ? 2 : 4));
                return new Insn(e, "imul " + r(d, s) + ", " + r(src, s) + ", " + (s == 16 && !imm8 ? (short) imm : imm),
                        CF | OF, SF | ZF | AF | PF);
            }
            case 26 -> { // DIV/IDIV by a register loaded with a safe divisor first (no #DE)
                int s = size3264(), d;
                do {
                    d = w();
                } while (d == 0 || d == 2);
                boolean signed = rnd.nextBoolean();
                long divisor = 2 + rnd.nextInt(Integer.MAX_VALUE - 2);
                byte[] setup = signed
                        ? (s == 64 ? new byte[] {0x48, (byte) 0x99} : new byte[] {(byte) 0x99})  // cqo / cdq
                        : new byte[] {0x31, (byte) 0xd2};                                      // xor edx, edx
                int rex = 0x40 | (d >> 3);
                byte[] mov = rex != 0x40 ? new byte[] {(byte) rex, (byte) (0xb8 + (d & 7))} : new byte[] {(byte) (0xb8 + (d & 7))};
                byte[] e = cat(cat(setup, cat(mov, imm(divisor, 4))), enc(s, new int[] {0xf7}, signed ? 7 : 6, d, null));
                return new Insn(e, (signed ? (s == 64 ? "cqo" : "cdq") : "xor edx, edx") + "; mov " + r(d, 32) + ", "
                        + divisor + "; " + (signed ? "idiv " : "div ") + r(d, s), 0, ARITH);
            }
            case 27 -> { // BSF/BSR from a source made non-zero first (BTS), so the result is defined
                int s = size3264(), d = w(), src = w(), bit = rnd.nextInt(s);
                boolean reverse = rnd.nextBoolean();
                byte[] e = cat(cat(enc(s, new int[] {0x0f, 0xba}, 5, src, null), new byte[] {(byte) bit}),
                        enc(s, new int[] {0x0f, reverse ? 0xbd : 0xbc}, d, src, null));
                return new Insn(e, "bts " + r(src, s) + ", " + bit + "; " + (reverse ? "bsr " : "bsf ") + r(d, s) + ", " + r(src, s),
                        ZF, CF | OF | SF | AF | PF); // SDM BSF/BSR: only ZF is defined
            }
            case 28 -> { // REP MOVS/STOS and LODS inside the data window (DF is always clear)
                int n = rnd.nextInt(33), unit = new int[] {1, 2, 4, 8}[rnd.nextInt(4)], count = n / unit;
                int span = Math.max(count, 1) * unit; // LODS reads one unit whatever RCX says
                int dst = -128 + rnd.nextInt(257 - span), src = -128 + rnd.nextInt(257 - span);
                byte[] setup = cat(cat(lea(7, dst), lea(6, src)), cat(new byte[] {(byte) 0xb9}, imm(count, 4)));
                int which = rnd.nextInt(3);
                int base = new int[] {0xa4, 0xaa, 0xac}[which] + (unit == 1 ? 0 : 1);
                byte[] op = unit == 2 ? new byte[] {0x66, (byte) base} : unit == 8 ? new byte[] {0x48, (byte) base}
                        : new byte[] {(byte) base};
                byte[] e = cat(setup, which == 2 ? op : cat(new byte[] {(byte) 0xf3}, op));
                String[] n2 = {"rep movs", "rep stos", "lods"};
                return new Insn(e, "lea rdi, [rbx" + sgn(dst) + "]; lea rsi, [rbx" + sgn(src) + "]; mov ecx, " + count + "; "
                        + n2[which] + unit, 0, 0);
            }
            case 29 -> { // REPE CMPS / REPNE SCAS: flags as CMP of the last pair compared
                int n = 1 + rnd.nextInt(16), unit = new int[] {1, 2, 4, 8}[rnd.nextInt(4)];
                int dst = -128 + rnd.nextInt(256 - n * unit), src = -128 + rnd.nextInt(256 - n * unit);
                byte[] setup = cat(cat(lea(7, dst), lea(6, src)), cat(new byte[] {(byte) 0xb9}, imm(n, 4)));
                boolean scas = rnd.nextBoolean();
                int base = (scas ? 0xae : 0xa6) + (unit == 1 ? 0 : 1);
                byte[] op = unit == 2 ? new byte[] {0x66, (byte) base} : unit == 8 ? new byte[] {0x48, (byte) base}
                        : new byte[] {(byte) base};
                byte[] e = cat(setup, cat(new byte[] {(byte) (scas ? 0xf2 : 0xf3)}, op));
                return new Insn(e, "lea rdi, [rbx" + sgn(dst) + "]; lea rsi, [rbx" + sgn(src) + "]; mov ecx, " + n + "; "
                        + (scas ? "repne scas" : "repe cmps") + unit, ARITH, 0);
            }
            case 30 -> { // shifts and rotates of a memory operand by imm8 (32/64-bit)
                int op = rnd.nextInt(8), s = size3264(), disp = disp(s), mask = s == 64 ? 63 : 31;
                int count = 1 + rnd.nextInt(mask);
                byte[] e = cat(enc(s, new int[] {0xc1}, op, -1, disp), new byte[] {(byte) count});
                return shift(op, count, e, SHIFT[op] + " [rbx" + sgn(disp) + "]:" + s + ", " + count);
            }
            case 31 -> { // 8/16-bit shifts and rotates by counts below the width (wider counts: model-specific CF)
                int op = rnd.nextInt(8), s = rnd.nextBoolean() ? 8 : 16, d = w();
                int count = 1 + rnd.nextInt(s - 1);
                byte[] e = cat(enc(s, new int[] {s == 8 ? 0xc0 : 0xc1}, op, d, null), new byte[] {(byte) count});
                return shift(op, count, e, SHIFT[op] + " " + r(d, s) + ", " + count);
            }
            case 32 -> { // PUSH r / PUSH imm32, then POP r: RSP balanced
                int d = w(), src = any();
                boolean imm = rnd.nextBoolean();
                byte[] push = imm ? cat(new byte[] {0x68}, imm(value(), 4))
                        : src >= 8 ? new byte[] {0x41, (byte) (0x50 + (src & 7))} : new byte[] {(byte) (0x50 + src)};
                byte[] pop = d >= 8 ? new byte[] {0x41, (byte) (0x58 + (d & 7))} : new byte[] {(byte) (0x58 + d)};
                return new Insn(cat(push, pop), (imm ? "push imm32" : "push " + r(src, 64)) + "; pop " + r(d, 64), 0, 0);
            }
            case 33 -> { // SETcc [mem], CMOVcc r, [mem], XCHG [mem], r
                int cc = rnd.nextInt(16), disp, which = rnd.nextInt(3);
                if (which == 0) {
                    disp = disp(8);
                    return new Insn(enc(8, new int[] {0x0f, 0x90 + cc}, 0, -1, disp), "set" + cc + " [rbx" + sgn(disp) + "]", 0, 0,
                            Insn.conditionReads(cc));
                }
                int s = which == 1 ? size3264() : size(), d = w();
                disp = disp(s);
                if (which == 1) {
                    return new Insn(enc(s, new int[] {0x0f, 0x40 + cc}, d, -1, disp), "cmov" + cc + " " + r(d, s) + ", [rbx" + sgn(disp) + "]",
                            0, 0, Insn.conditionReads(cc));
                }
                return new Insn(enc(s, new int[] {s == 8 ? 0x86 : 0x87}, d, -1, disp), "xchg [rbx" + sgn(disp) + "], " + r(d, s), 0, 0);
            }
            case 34 -> { // TEST r/m, imm
                int s = size(), a = any();
                long v = s == 8 ? (byte) rnd.nextInt() : (int) value();
                byte[] e = cat(enc(s, new int[] {s == 8 ? 0xf6 : 0xf7}, 0, a, null), imm(v, s == 8 ? 1 : s == 16 ? 2 : 4));
                return new Insn(e, "test " + r(a, s) + ", " + v, ARITH & ~AF, AF);
            }
            case 35 -> { // one-operand MUL/IMUL in every width (8-bit: AX = AL * r/m8)
                int s = size(), src = any();
                boolean signed = rnd.nextBoolean();
                byte[] e = enc(s, new int[] {s == 8 ? 0xf6 : 0xf7}, signed ? 5 : 4, src, null);
                return new Insn(e, (signed ? "imul " : "mul ") + r(src, s), CF | OF, SF | ZF | AF | PF);
            }
            case 36 -> { // CMPXCHG [mem], r (8/16/64-bit, as case 23) or BT/BTS/BTR/BTC [mem], imm8
                if (rnd.nextBoolean()) {
                    int s = new int[] {8, 16, 64}[rnd.nextInt(3)], src = any(), disp = disp(s);
                    return new Insn(enc(s, new int[] {0x0f, s == 8 ? 0xb0 : 0xb1}, src, -1, disp),
                            "cmpxchg [rbx" + sgn(disp) + "], " + r(src, s), ARITH, 0);
                }
                int op = rnd.nextInt(4), s = size3264(), bit = rnd.nextInt(256), disp = disp(s);
                return new Insn(cat(enc(s, new int[] {0x0f, 0xba}, 4 + op, -1, disp), new byte[] {(byte) bit}),
                        BT[op] + " [rbx" + sgn(disp) + "]:" + s + ", " + bit, CF, OF | SF | AF | PF);
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
}
