package io.jvirt.vmm.accel.tcg;

import io.jvirt.vmm.accel.AccelVm;
import io.jvirt.vmm.accel.Accelerator;
import io.jvirt.vmm.accel.tcg.cpu.CpuCore;
import io.jvirt.vmm.accel.tcg.cpu.InterruptSource;
import io.jvirt.vmm.devices.IoBus;
import io.jvirt.vmm.memory.GuestMemory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

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
        return new TcgAccelerator(TcgAccelerator::defaultCore);
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

    /** Binds {@code CpuCore.create(...)} (the tcg-cpu branch's factory) without a compile-time dependency. */
    private static CpuCore defaultCore(int apicId, GuestMemory memory, IoBus pio, IoBus mmio, InterruptSource apic) {
        MethodHandle h;
        try {
            h = MethodHandles.publicLookup().findStatic(CpuCore.class, "create", MethodType.methodType(CpuCore.class,
                    int.class, GuestMemory.class, IoBus.class, IoBus.class, InterruptSource.class));
        } catch (ReflectiveOperationException e) {
            throw new UnsupportedOperationException("tcg: the software CPU core is not in this build "
                    + "(CpuCore.create is missing); use --accel kvm", e);
        }
        try {
            return (CpuCore) h.invoke(apicId, memory, pio, mmio, apic);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
