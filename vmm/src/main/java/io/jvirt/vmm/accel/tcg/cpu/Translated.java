package io.jvirt.vmm.accel.tcg.cpu;

/**
 * A block translated to JVM bytecode by {@link Translator}; one hidden class per block.
 *
 * <p>Contract: entered with {@code c.rip} at the block's first instruction (any linear address
 * the block's physical page is mapped at); returns with {@code c.rip} at the next instruction
 * to run and {@code c.retired} advanced by the instructions it completed. An instruction that
 * faults throws {@link CpuFault} with {@code c.curRip} at its start and the architectural
 * state as before it, like the interpreter.
 */
interface Translated {
    void run(Cpu c);
}
