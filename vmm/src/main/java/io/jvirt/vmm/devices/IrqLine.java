package io.jvirt.vmm.devices;

/**
 * One interrupt line from a device to the machine's interrupt controllers, bound to a GSI
 * (global system interrupt: IOAPIC input; GSI 0–15 are also the 8259 PIC's IRQs).
 * Under KVM this is KVM_IRQ_LINE or an irqfd; under the software CPU, the emulated IOAPIC/PIC.
 * Safe to call from any thread.
 */
public interface IrqLine {

    /** Drives a level-triggered line high or low. */
    void set(boolean high);

    /** An edge: high then low. */
    default void pulse() {
        set(true);
        set(false);
    }
}
