package io.jvirt.vmm.accel;

import io.jvirt.vmm.arch.x86_64.X86BootState;
import io.jvirt.vmm.devices.IrqLine;
import io.jvirt.vmm.memory.GuestMemory;

/**
 * One VM on an accelerator: its vCPUs and interrupt controllers (LAPICs, IOAPIC with 24
 * inputs, the 8259 pair and the 8254 PIT: in the kernel under KVM, in Java under tcg).
 */
public interface AccelVm extends AutoCloseable {

    /** The interrupt line into IOAPIC input (and, for 0–15, PIC IRQ) {@code gsi}. */
    IrqLine irqLine(int gsi);

    /** vCPU {@code index}; index 0 is the boot CPU, the others wait for INIT/SIPI. */
    Vcpu vcpu(int index);

    int vcpuCount();

    /**
     * The view of guest RAM that devices write through (DMA). KVM needs nothing; the software
     * CPU's view drops the code it decoded from the pages a device writes.
     */
    default GuestMemory deviceMemory(GuestMemory memory) {
        return memory;
    }

    /** Loads the boot CPU's state and resets every other vCPU to wait-for-SIPI. */
    void reset(X86BootState boot);

    @Override
    void close();
}
