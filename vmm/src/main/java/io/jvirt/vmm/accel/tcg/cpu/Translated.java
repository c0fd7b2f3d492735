package io.jvirt.vmm.accel.tcg.cpu;

/**
 * A {@link Region} translated to JVM bytecode by {@link Translator}; one hidden class each.
 *
 * <p>Contract: entered with {@code c.rip} at the entry block's first instruction (any linear
 * address its physical page is mapped at); returns with {@code c.rip} at the next instruction
 * to run and {@code c.retired} advanced by the instructions it completed. An instruction that
 * faults throws {@link CpuFault} with {@code c.curRip} at its start and the architectural
 * state as the interpreter would leave it; the instructions the region completed before it
 * are then not counted in {@code retired} (a budget and benchmark count, not architectural).
 */
abstract class Translated {
    /*
     * An abstract class, not an interface: the run loop's call site sees thousands of these
     * classes, and HotSpot dispatches a megamorphic virtual call through the vtable (one load
     * at a fixed offset) where an interface call scans the receiver's itable.
     */
    abstract void run(Cpu c);

    /**
     * Backward jumps taken inside the method (quick tier only), which {@link Jit} weighs
     * against the entries before it hands a region to the hot tier. A plain field: a lost
     * increment when two vCPUs run the class at once costs nothing.
     */
    int backEdges;

    /**
     * Chaining. A translation's exits (a jump or call out of its region, the return point of
     * such a call, an instruction the interpreter ran last in a block) are numbered sites;
     * the run loop records at site {@code k} the block it found next ({@link #linkBlock}),
     * with the linear address ({@link #linkLin}) and {@link Cpu#chainState} of that moment.
     * While both still match, the exit calls that block's translation itself
     * ({@link JitRuntime#chainIf}): one call site per exit, which HotSpot's inline cache turns
     * into a direct call, instead of the run loop's lookup and megamorphic call. A RET is not
     * a site: it returns, and the chained call that led to its function goes on at its return
     * point, so the JVM's stack follows the guest's calls.
     */
    final Block[] linkBlock;
    final long[] linkLin, linkState;

    Translated(int sites) {
        linkBlock = new Block[sites];
        linkLin = new long[sites];
        linkState = new long[sites];
    }
}
