package io.jvirt.vmm.difftest;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One differential test case: the initial GPRs (encoding order, RSP unused) and RFLAGS, the
 * 256-byte data window RBX points into the middle of, and the instructions to run.
 */
record DiffCase(long[] gpr, long rflags, byte[] mem, List<Insn> insns) {

    /** Guest-physical address of the data window (difftest.c DT_DATA); RBX = DATA + 128. */
    static final long DATA = 0x200000;
    static final int MEM = 256;
    static final int RBX = 3, RSP = 4;

    /** The code the guest calls: the instructions, then RET. */
    byte[] code() {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        insns.forEach(i -> o.writeBytes(i.bytes()));
        o.write(0xc3);
        return o.toByteArray();
    }

    /** The arithmetic flags whose final value is defined: undefined ones stay so until redefined. */
    int comparedFlags() {
        int undefined = 0;
        for (Insn i : insns) {
            undefined = (undefined & ~i.defined()) | i.undefined();
        }
        return Insn.ARITH & ~undefined;
    }

    String listing() {
        return insns.stream().map(Insn::toString).collect(Collectors.joining("; "));
    }
}
