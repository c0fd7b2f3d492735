package io.jvirt.vmm.accel.tcg;

import io.jvirt.vmm.accel.AccelVm;
import io.jvirt.vmm.accel.Accelerator;
import io.jvirt.vmm.devices.IoBus;
import io.jvirt.vmm.memory.GuestMemory;

/** The software CPU backend: x86-64 in Java, with LAPIC/IOAPIC/PIC/PIT emulated here. */
public final class TcgAccelerator implements Accelerator {

    public static TcgAccelerator create() {
        return new TcgAccelerator();
    }

    @Override public String name() { return "tcg"; }
    @Override public int maxVcpus() { return 64; }

    @Override
    public AccelVm createVm(GuestMemory memory, IoBus pio, IoBus mmio, int vcpus) {
        throw new UnsupportedOperationException("tcg accelerator: not built yet");
    }
}
