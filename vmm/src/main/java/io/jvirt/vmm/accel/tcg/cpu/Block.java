package io.jvirt.vmm.accel.tcg.cpu;

/**
 * A decoded basic block: instructions from one guest-physical page, ending at a control
 * transfer or state change, at a page end, or after a cap. Cached by physical address and
 * code size; valid while its page's {@link CodePages} generation is unchanged.
 */
final class Block {
    /** Linear address of the first instruction when decoded (for chaining). */
    long lin;
    final long pa;
    final int mode;
    final int generation;
    final Insn[] insns;
    /**
     * Successor cache (block chaining): the blocks last entered after this one, by linear
     * address, valid for the TLB epoch and CPL they were recorded under.
     */
    Block succ0, succ1;
    long lin0 = -1, lin1 = -1;
    int epoch0, epoch1, cpl0, cpl1;
    boolean flip;
    /**
     * Entries so far (since its quick translation, once it has one); noJit once it was handed
     * to the translator (or is not worth it); its translation, set by the translator thread
     * ({@link Jit}).
     */
    int hits;
    boolean noJit;
    /** The region of its quick translation, kept until the hot tier takes it (written by the translator thread). */
    volatile Region region;
    volatile Translated code;

    Block(long pa, int mode, int generation, Insn[] insns) {
        this.pa = pa;
        this.mode = mode;
        this.generation = generation;
        this.insns = insns;
    }
}
