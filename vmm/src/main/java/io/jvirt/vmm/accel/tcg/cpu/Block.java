package io.jvirt.vmm.accel.tcg.cpu;

/**
 * A decoded basic block: instructions from one guest-physical page, ending at a control
 * transfer or state change, at a page end, or after a cap. Cached by physical address and
 * code size; valid while its page's {@link CodePages} generation is unchanged. The one
 * exception is a block of a single instruction that straddles a page boundary: it also
 * records the second page and that page's generation, and is valid while both are unchanged
 * ({@link #live}).
 */
final class Block {
    /** Linear address of the first instruction when decoded (for chaining). */
    long lin;
    final long pa;
    final int mode;
    final int generation;
    /** The page-aligned guest-physical address of the second page of a straddling instruction, else -1. */
    final long pa2;
    /** {@link CodePages} generation of {@link #pa2} when decoded. */
    final int generation2;
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
     * Entries before its translation (then {@link Translated#hits} counts); noJit once it was
     * handed to the translator (or is not worth it); its translation, set by the translator
     * thread ({@link Jit}).
     */
    int hits;
    boolean noJit;
    volatile Translated code;

    Block(long pa, int mode, int generation, Insn[] insns) {
        this(pa, mode, generation, -1, 0, insns);
    }

    Block(long pa, int mode, int generation, long pa2, int generation2, Insn[] insns) {
        this.pa = pa;
        this.mode = mode;
        this.generation = generation;
        this.pa2 = pa2;
        this.generation2 = generation2;
        this.insns = insns;
    }

    /** Whether no write has hit the code since it was decoded (its page, and its second page if it has one). */
    boolean live(CodePages code) {
        return generation == code.generation(pa) && (pa2 < 0 || generation2 == code.generation(pa2));
    }
}
