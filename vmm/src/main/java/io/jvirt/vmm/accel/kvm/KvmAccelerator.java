package io.jvirt.vmm.accel.kvm;

import io.jvirt.vmm.accel.AccelVm;
import io.jvirt.vmm.accel.Accelerator;
import io.jvirt.vmm.devices.IoBus;
import io.jvirt.vmm.memory.GuestMemory;

/** The KVM backend: vCPUs are the host CPU through /dev/kvm, the irqchip is in the kernel. */
public final class KvmAccelerator implements Accelerator {

    /** Opens /dev/kvm; throws with a one-line reason when it is missing or not permitted. */
    public static KvmAccelerator open() {
        throw new UnsupportedOperationException("kvm accelerator: not built yet");
    }

    @Override public String name() { return "kvm"; }
    @Override public int maxVcpus() { return 1; }

    @Override
    public AccelVm createVm(GuestMemory memory, IoBus pio, IoBus mmio, int vcpus) {
        throw new UnsupportedOperationException("kvm accelerator: not built yet");
    }
}
