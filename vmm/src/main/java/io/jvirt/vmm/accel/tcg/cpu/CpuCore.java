package io.jvirt.vmm.accel.tcg.cpu;

import io.jvirt.vmm.arch.x86_64.X86BootState;
import io.jvirt.vmm.devices.IoBus;
import io.jvirt.vmm.memory.GuestMemory;

/**
 * One software x86-64 CPU: architectural state, the decoder and the executor. The tcg
 * platform drives it from the vCPU thread: {@link #run(long)} in slices, waits while
 * {@link #halted()}, and delivers INIT/SIPI.
 */
public interface CpuCore {

    /**
     * Creates one software CPU in the power-on reset state (Intel SDM vol. 3A §9.1.1).
     *
     * @param apicId this CPU's APIC ID, reported by CPUID leaves 1 and 0xb
     * @param memory guest RAM; every CPU of a machine must share the same instance, so that
     *               a write by one CPU drops the decoded code of the others
     * @param pio    port I/O (IN/OUT/INS/OUTS)
     * @param mmio   guest-physical accesses outside RAM, except this CPU's LAPIC page
     * @param apic   this CPU's local APIC: interrupts, NMI, the LAPIC page and the APIC MSRs
     */
    static CpuCore create(int apicId, GuestMemory memory, IoBus pio, IoBus mmio, InterruptSource apic) {
        return new Cpu(apicId, memory, pio, mmio, apic);
    }

    /**
     * As {@link #create(int, GuestMemory, IoBus, IoBus, InterruptSource)}, with the translation
     * of hot blocks to JVM bytecode set explicitly instead of by the {@code jvirt.tcg.jit}
     * properties: blocks are translated after {@code jitThreshold} entries (0: on first use,
     * as the differential test runs it), or never when negative.
     */
    static CpuCore create(int apicId, GuestMemory memory, IoBus pio, IoBus mmio, InterruptSource apic, int jitThreshold) {
        return new Cpu(apicId, memory, pio, mmio, apic, Jit.of(jitThreshold));
    }

    /**
     * The view of {@code memory} that devices should write through (DMA): each write also drops
     * the CPUs' decoded and translated code of the pages it touches, as a CPU's own store does.
     */
    static GuestMemory deviceView(GuestMemory memory) {
        return new DmaMemory(memory);
    }

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

    /**
     * From any thread: makes the current {@link #run(long)}, or the next one if none is running,
     * return {@link Stop#BUDGET} soon; that return consumes the request.
     */
    void requestStop();

    /** True while in HLT or wait-for-SIPI. */
    boolean halted();

    /** Instructions retired so far (for benchmarks and tests). */
    long instructionsRetired();

    /** Frequency of {@link #tsc()}: 1 GHz, one tick per host nanosecond (the platform's timers agree). */
    long TSC_HZ = Msrs.TSC_HZ;

    /**
     * The guest TSC before any per-CPU IA32_TIME_STAMP_COUNTER offset: what the tcg platform's
     * LAPIC converts TSC-deadline values with.
     */
    static long tsc() {
        return Msrs.tscNow();
    }
}
