package io.jvirt.vmm.accel.tcg.cpu;

import io.jvirt.vmm.arch.x86_64.X86BootState;

/**
 * One software x86-64 CPU: architectural state, the decoder and the executor. The tcg
 * platform drives it from the vCPU thread: {@link #run(long)} in slices, waits while
 * {@link #halted()}, and delivers INIT/SIPI.
 */
public interface CpuCore {

    /** Why {@link #run(long)} returned. */
    enum Stop {
        /** The instruction budget ran out, or {@link #requestStop()} was called. */
        BUDGET,
        /** HLT executed (or the CPU waits for SIPI); call {@link #run(long)} again once an interrupt is pending. */
        HALTED,
        /** A fault while delivering a double fault: the machine resets or stops, per policy. */
        TRIPLE_FAULT
    }

    /** Loads the boot state (boot CPU only). */
    void load(X86BootState state);

    /** INIT: power-on reset state, then wait for SIPI (application processors). */
    void init();

    /** Startup IPI: real mode at CS = vector << 8, IP = 0 (Intel SDM vol. 3A §10.4.4). */
    void startup(int vector);

    /** Executes at most about {@code budget} instructions. */
    Stop run(long budget);

    /** From any thread: makes the current {@link #run(long)} return {@link Stop#BUDGET} soon. */
    void requestStop();

    /** True while in HLT or wait-for-SIPI. */
    boolean halted();

    /** Instructions retired so far (for benchmarks and tests). */
    long instructionsRetired();
}
