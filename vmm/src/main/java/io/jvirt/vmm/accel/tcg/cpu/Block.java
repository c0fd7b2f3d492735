package io.jvirt.vmm.accel.tcg.cpu;

/**
 * A decoded basic block: instructions from one guest-physical page, ending at a control
 * transfer or state change, at a page end, or after a cap. Cached by physical address and
 * code size; valid while its page's {@link CodePages} generation is unchanged.
 */
final class Block {
    final long pa;
    final int mode;
    final int generation;
    final Insn[] insns;

    Block(long pa, int mode, int generation, Insn[] insns) {
        this.pa = pa;
        this.mode = mode;
        this.generation = generation;
        this.insns = insns;
    }
}
