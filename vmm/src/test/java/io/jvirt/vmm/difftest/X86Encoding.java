package io.jvirt.vmm.difftest;

import java.io.ByteArrayOutputStream;

/** x86-64 instruction encoding helpers and register names for {@link InsnGen} (SDM vol. 2 ch. 2). */
final class X86Encoding {

    private X86Encoding() {
    }

    /**
     * Encodes [0x66] [REX] opcode ModRM [disp8]: register form when {@code rm >= 0}, else
     * [RBX + disp8] (mod 01, r/m 011). 8-bit forms always carry a REX prefix so that register
     * numbers 4-7 mean SPL/BPL/SIL/DIL rather than AH/CH/DH/BH.
     */
    static byte[] enc(int size, int[] opcode, int reg, int rm, Integer disp) {
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
    static byte[] forceRex(byte[] e, int size) {
        int first = e[0] & 0xff;
        if ((first & 0xf0) == 0x40) {
            return e;
        }
        return cat(new byte[] {0x40}, e);
    }

    /** LEA r64, [RBX + disp8] for RDI (7) or RSI (6). */
    static byte[] lea(int reg, int disp) {
        return new byte[] {0x48, (byte) 0x8d, (byte) (0x40 | (reg << 3) | 3), (byte) disp};
    }

    static byte[] imm(long v, int bytes) {
        byte[] b = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    static byte[] cat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    static String sgn(int disp) {
        return disp < 0 ? Integer.toString(disp) : "+" + disp;
    }

    static String r(int reg, int size) {
        String[] q = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi"};
        String base = reg < 8 ? q[reg] : "r" + reg;
        return base + (size == 64 ? "" : ":" + size);
    }
}
