package io.jvirt.vmm.accel;

import io.jvirt.vmm.devices.IoBus;
import io.jvirt.vmm.memory.GuestMemory;

/**
 * What runs guest code: KVM ({@code kvm}: the host CPU through /dev/kvm) or the software
 * x86-64 CPU ({@code tcg}). The machine model (memory map, boot protocol, devices) is the same
 * for both; an accelerator supplies the CPUs and the interrupt controllers (in the kernel for
 * KVM, emulated in Java for tcg).
 */
public interface Accelerator {

    /** "kvm" or "tcg". */
    String name();

    /** The most vCPUs one VM may have on this accelerator and host. */
    int maxVcpus();

    /**
     * Creates a VM over {@code memory}; port I/O and MMIO the guest does that the accelerator
     * does not handle itself go to {@code pio} and {@code mmio}.
     */
    AccelVm createVm(GuestMemory memory, IoBus pio, IoBus mmio, int vcpus);
}
