package io.jvirt.vmm.accel.tcg;

import io.jvirt.vmm.accel.AccelVm;
import io.jvirt.vmm.accel.Accelerator;
import io.jvirt.vmm.accel.tcg.cpu.CpuCore;
import io.jvirt.vmm.accel.tcg.cpu.InterruptSource;
import io.jvirt.vmm.devices.IoBus;
import io.jvirt.vmm.memory.GuestMemory;
import java.util.function.LongSupplier;

/**
 * The software CPU backend ({@code tcg}): x86-64 in Java ({@link CpuCore}), with the interrupt
 * controllers and timers KVM keeps in the kernel (LAPIC, IOAPIC, 8259 PIC, 8254 PIT) emulated
 * here. It needs no /dev/kvm and no native code, so the same machine model runs on any JVM host.
 *
 * <p>Differences from KVM, all inside this package: vCPU threads run the CPU in instruction
 * slices and sleep while it is halted ({@link TcgVcpu}); the platform devices register
 * themselves on the machine's buses ({@link TcgVm}); every guest-visible clock derives from
 * {@link GuestClock}.
 */
public final class TcgAccelerator implements Accelerator {

    /** Upper bound of vCPUs: xAPIC physical IDs below the 0xff broadcast, kept modest. */
    static final int MAX_VCPUS = 64;

    /** How a vCPU's core is made; {@link CpuCore}'s static factory in production. */
    @FunctionalInterface
    interface CoreFactory {
        CpuCore create(int apicId, GuestMemory memory, IoBus pio, IoBus mmio, InterruptSource apic);
    }

    private final CoreFactory cores;

    private TcgAccelerator(CoreFactory cores) {
        this.cores = cores;
    }

    public static TcgAccelerator create() {
        return new TcgAccelerator(CpuCore::create);
    }

    /**
     * The software CPU with the translation of hot blocks to JVM bytecode set explicitly
     * instead of by the {@code jvirt.tcg.jit} properties: a block is translated after
     * {@code jitThreshold} entries (0: on first use, which the differential test uses to check
     * the translator against QEMU), never when negative.
     */
    public static TcgAccelerator create(int jitThreshold) {
        return new TcgAccelerator((id, memory, pio, mmio, apic) -> CpuCore.create(id, memory, pio, mmio, apic, jitThreshold));
    }

    /** For tests in this package: a VM over scripted cores. */
    static TcgAccelerator withCores(CoreFactory cores) {
        return new TcgAccelerator(cores);
    }

    @Override
    public String name() {
        return "tcg";
    }

    @Override
    public int maxVcpus() {
        return MAX_VCPUS;
    }

    @Override
    public AccelVm createVm(GuestMemory memory, IoBus pio, IoBus mmio, int vcpus) {
        if (vcpus < 1 || vcpus > MAX_VCPUS) {
            throw new IllegalArgumentException("tcg: " + vcpus + " vCPUs requested; use 1-" + MAX_VCPUS);
        }
        return new TcgVm(memory, pio, mmio, vcpus, cores);
    }

    /**
     * The guest TSC as the CPU core counts it ({@link CpuCore#tsc()}: nanoTime since the core's
     * epoch at {@link CpuCore#TSC_HZ}), so a TSC-deadline the guest computes from RDTSC means
     * the same instant to the LAPIC.
     */
    static LongSupplier tscSource() {
        return CpuCore::tsc;
    }
}
