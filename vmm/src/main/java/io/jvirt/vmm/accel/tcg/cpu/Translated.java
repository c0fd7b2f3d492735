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
 *
 * <p>Chaining. A translation's exits (a jump or call out of its region, the return point of
 * such a call, an instruction the interpreter ran last in a block) are numbered sites, each
 * with a {@link Link} (a constant of the class) in which the run loop records the translation
 * it found next. While the link's address and state still match, the exit calls that
 * translation itself ({@link JitRuntime#chainIf}): one call site per exit, which HotSpot's
 * inline cache turns into a direct call, instead of the run loop's lookup and megamorphic
 * call. A RET is not a site: it returns, and the chained call that led to its function goes on
 * at its return point, so the JVM's stack follows the guest's calls.
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
     * Entries through the run loop or a chain link since the last look ({@link Jit#counted}),
     * counted only while {@link #region} is kept.
     */
    int hits;

    /** When {@link #hits} last started from 0 ({@link System#nanoTime()}), for the hot tier's rate rule. */
    long since;

    /**
     * The region of a quick translation that may go to the hot tier, kept until {@link Jit}
     * hands it over; null for other translations. Set before the translation is published.
     */
    volatile Region region;

    /**
     * Set once a hot translation of the same block took this one's place: links that still
     * name this one go back to the run loop, which links them to the new one.
     */
    volatile boolean replaced;
}
