package io.jvirt.vmm.accel.tcg.cpu;

/**
 * One decoded instruction: the opcode and its operands as the decoder found them. Immutable
 * once the decoder is done with it, so a decoded block can be executed any number of times.
 * Opcode numbering: 0x000–0x0ff one-byte map, 0x100–0x1ff the 0F map, 0x200–0x2ff 0F 38,
 * 0x300–0x3ff 0F 3A (Intel SDM vol. 2, appendix A).
 */
final class Insn {
    static final int P66 = 1, PF2 = 2, PF3 = 4, PLOCK = 8;

    int op;
    int len;
    /** Operand size in bytes (2, 4, 8); byte operations carry their own size. */
    int osz;
    /** Address size in bytes (2, 4, 8). */
    int asz;
    int pfx;
    int rex;
    /** Segment override, or -1. */
    int seg = -1;
    /** Default segment of the memory operand (DS, or SS for rBP/rSP based). */
    int defSeg = Cpu.DS;
    boolean hasModrm;
    int mod;
    /** ModRM.reg with REX.R. */
    int reg;
    /** ModRM.rm with REX.B (register operand when mod == 3). */
    int rm;
    int base = -1;
    int index = -1;
    int scale;
    long disp;
    boolean ripRel;
    long imm;
    long imm2;
    /** Its arithmetic flags are overwritten before use ({@link FlagLiveness}): skip computing them. */
    boolean flagsDead;
    /** {@link FastPath} kind, 0 for the general path. */
    int fast;
    /** The instruction ends its block (control transfer or state change). */
    boolean ends;
    /** Raw bytes, for logging unknown instructions. */
    byte[] bytes;

    boolean mem() {
        return mod != 3;
    }

    int segment() {
        return seg >= 0 ? seg : defSeg;
    }

    boolean rep() {
        return (pfx & (PF3 | PF2)) != 0;
    }

    String hex() {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append(String.format("%02x ", b & 0xff));
        }
        return sb.toString().trim();
    }
}
