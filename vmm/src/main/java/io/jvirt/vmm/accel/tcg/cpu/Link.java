package io.jvirt.vmm.accel.tcg.cpu;

/**
 * One chained exit of a {@link Translated}: the translation the run loop found next there,
 * with the linear address and {@link Cpu#chainState} it was found under. Each exit site's
 * Link is a constant of its translation's class (class data), so the exit's check
 * ({@link JitRuntime#chainIf}) reads one small object and no arrays; a chain then touches the
 * link and the target translation, whose entry count sits beside its header.
 */
final class Link {
    /** Null until the run loop links the exit; written by the vCPU that runs it. */
    Translated target;
    long lin;
    long state;
}
