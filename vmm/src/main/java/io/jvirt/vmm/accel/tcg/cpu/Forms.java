package io.jvirt.vmm.accel.tcg.cpu;

/**
 * Which decoded 64-bit-mode instructions the {@link Translator} emits inline as bytecode, and
 * as what. Pure decode-side analysis: a form names the operation and where its operands come
 * from; everything not listed here ({@link #CALL_INTERP}) is executed by the interpreter's own
 * code, one instruction at a time, from the translated block.
 *
 * <p>CMPXCHG and the BT family are here without LOCK: a kernel that finds one CPU patches its
 * LOCK prefixes out, and then they run per page under disk I/O (bench/blk: ~400 000 CMPXCHG
 * and, reading, ~350 000 BTS a second, each a call of the interpreter before).
 *
 * <p>Left to the interpreter on purpose: LOCK and REP/F2/F3-prefixed forms (atomics, strings,
 * mandatory-prefix SSE), segment and system instructions, far transfers, 16-bit stack
 * and branch forms, and anything whose opcode the decoder marked invalid.
 */
final class Forms {
    static final int CALL_INTERP = 0,
            ALU_RM_REG = 1,     // 00-3B /r, op & 7 = 0, 1: rm op= reg
            ALU_REG_RM = 2,     // op & 7 = 2, 3: reg op= rm
            ALU_AX_IMM = 3,     // op & 7 = 4, 5: AL/eAX op= imm
            ALU_RM_IMM = 4,     // 80, 81, 83 /0-/7
            TEST_RM_REG = 5,    // 84, 85
            TEST_AX_IMM = 6,    // A8, A9
            TEST_RM_IMM = 7,    // F6/F7 /0, /1
            MOV_RM_REG = 8,     // 88, 89
            MOV_REG_RM = 9,     // 8A, 8B
            MOV_RM_IMM = 10,    // C6, C7
            MOV_REG_IMM = 11,   // B0-BF
            LEA = 12,           // 8D
            MOVZX = 13,         // 0F B6, 0F B7
            MOVSX = 14,         // 0F BE, 0F BF, 63 (REX.W)
            INC_DEC = 15,       // FE/FF /0, /1
            SHIFT = 16,         // C0/C1/D0/D1/D2/D3: rotates and shifts
            MUL_DIV = 17,       // F6/F7 /4-/7
            IMUL_REG_RM = 18,   // 0F AF
            IMUL_IMM = 19,      // 69, 6B
            CMOV = 20,          // 0F 40-4F
            SETCC = 21,         // 0F 90-9F
            PUSH_REG = 22,      // 50-57
            POP_REG = 23,       // 58-5F
            PUSH_IMM = 24,      // 68, 6A
            CALL_REL = 25,      // E8
            RET = 26,           // C3
            JMP_REL = 27,       // E9, EB
            JCC = 28,           // 70-7F, 0F 80-8F
            NOP = 29,           // 90 (no REX.B), 0F 18-1F hints
            CDQE_CQO = 30,      // 98, 99 with REX.W
            NOT_NEG = 31,       // F6/F7 /2, /3
            CMPXCHG = 32,       // 0F B0, 0F B1 with a memory operand
            BIT_IMM = 33;       // 0F BA /4-/7: BT, BTS, BTR, BTC r/m, imm8

    private Forms() {
    }

    /** The form of one instruction of a 64-bit-mode block. */
    static int of(Insn in) {
        int op = in.op;
        if (op < 0 || (in.pfx & (Insn.PLOCK | Insn.PF2 | Insn.PF3)) != 0) {
            return CALL_INTERP;
        }
        boolean wide = in.osz == 8;
        int ext = in.reg & 7;
        if (op < 0x40) {
            return switch (op & 7) {
                case 0, 1 -> ALU_RM_REG;
                case 2, 3 -> ALU_REG_RM;
                case 4, 5 -> ALU_AX_IMM;
                default -> CALL_INTERP; // 06/07/0E/.. are invalid in 64-bit mode; 0F is a map escape
            };
        }
        return switch (op) {
            case 0x80, 0x81, 0x83 -> ALU_RM_IMM;
            case 0x84, 0x85 -> TEST_RM_REG;
            case 0xa8, 0xa9 -> TEST_AX_IMM;
            case 0xf6, 0xf7 -> ext < 2 ? TEST_RM_IMM : ext >= 4 ? MUL_DIV : NOT_NEG;
            case 0x88, 0x89 -> MOV_RM_REG;
            case 0x8a, 0x8b -> MOV_REG_RM;
            case 0xc6, 0xc7 -> ext == 0 ? MOV_RM_IMM : CALL_INTERP;
            case 0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf ->
                    MOV_REG_IMM;
            case 0x8d -> in.mem() ? LEA : CALL_INTERP;
            case 0x1b6, 0x1b7 -> MOVZX;
            case 0x1be, 0x1bf -> MOVSX;
            case 0x63 -> wide ? MOVSX : CALL_INTERP;
            case 0xfe, 0xff -> ext < 2 ? INC_DEC : CALL_INTERP;
            case 0xc0, 0xc1, 0xd0, 0xd1, 0xd2, 0xd3 -> SHIFT;
            case 0x1af -> IMUL_REG_RM;
            case 0x69, 0x6b -> IMUL_IMM;
            case 0x140, 0x141, 0x142, 0x143, 0x144, 0x145, 0x146, 0x147, 0x148, 0x149, 0x14a, 0x14b, 0x14c, 0x14d,
                    0x14e, 0x14f -> CMOV;
            case 0x190, 0x191, 0x192, 0x193, 0x194, 0x195, 0x196, 0x197, 0x198, 0x199, 0x19a, 0x19b, 0x19c, 0x19d,
                    0x19e, 0x19f -> SETCC;
            case 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57 -> wide ? PUSH_REG : CALL_INTERP;
            case 0x58, 0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f -> wide ? POP_REG : CALL_INTERP;
            case 0x68, 0x6a -> wide ? PUSH_IMM : CALL_INTERP;
            case 0xe8 -> wide ? CALL_REL : CALL_INTERP;
            case 0xc3 -> wide ? RET : CALL_INTERP;
            case 0xe9, 0xeb -> wide ? JMP_REL : CALL_INTERP;
            case 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f,
                    0x180, 0x181, 0x182, 0x183, 0x184, 0x185, 0x186, 0x187, 0x188, 0x189, 0x18a, 0x18b, 0x18c, 0x18d,
                    0x18e, 0x18f -> wide ? JCC : CALL_INTERP;
            case 0x90 -> (in.rex & 1) == 0 ? NOP : CALL_INTERP;
            case 0x118, 0x119, 0x11a, 0x11b, 0x11c, 0x11d, 0x11e, 0x11f -> NOP;
            case 0x98, 0x99 -> wide ? CDQE_CQO : CALL_INTERP;
            case 0x1b0, 0x1b1 -> in.mem() ? CMPXCHG : CALL_INTERP;
            case 0x1ba -> ext >= 4 ? BIT_IMM : CALL_INTERP;
            default -> CALL_INTERP;
        };
    }

    /** Transfers control: the translator ends the block after it. */
    static boolean branches(int form) {
        return form == CALL_REL || form == RET || form == JMP_REL || form == JCC;
    }
}
