package io.jvirt.vmm.devices.virtio;

import io.jvirt.vmm.devices.BusDevice;
import io.jvirt.vmm.devices.IrqLine;
import io.jvirt.vmm.memory.GuestMemory;

/**
 * The virtio-mmio transport, version 2 (virtio 1.2 §4.2): a {@link BusDevice} of
 * {@link #WINDOW_SIZE} bytes for the MMIO bus, announced to the guest by the firmware (DSDT
 * device "LNRO0005", FirmwareConfig.VirtioMmio) or the kernel command line
 * ({@code virtio_mmio.device=512@0xd0000000:5}). Its interrupt is level-triggered: high while
 * InterruptStatus is non-zero.
 *
 * <p>Queue notifications are processed synchronously on the notifying vCPU thread. A guest that
 * corrupts its rings gets DEVICE_NEEDS_RESET (and a configuration-change interrupt once
 * DRIVER_OK); a malformed descriptor chain fails only that request. Nothing the guest writes
 * makes this throw.
 */
public interface VirtioMmio extends BusDevice {

    /** Size of the register window: registers to 0xff, device configuration from 0x100 (§4.2.2). */
    long WINDOW_SIZE = 0x200;

    /**
     * Offset of QueueNotify (§4.2.2): the driver writes a queue index here. A machine that
     * routes these writes to an ioeventfd (KVM_IOEVENTFD at base + this offset, 4 bytes,
     * datamatch = queue index) calls {@link #notifyQueue(int)} from its I/O thread instead.
     */
    int QUEUE_NOTIFY_OFFSET = 0x050;

    static VirtioMmio create(VirtioDevice device, GuestMemory memory, IrqLine irq) {
        return new MmioTransport(device, memory, irq);
    }

    /**
     * The driver notified queue {@code index} (the effect of writing it to QueueNotify): the
     * device takes the queue's requests now, on the calling thread. Ignored unless DRIVER_OK.
     */
    void notifyQueue(int index);

    /** Machine reset: the device returns to its reset state as if the driver wrote 0 to Status. */
    void reset();

    /** The device's configuration changed: bump ConfigGeneration and interrupt the driver (§4.2.2). */
    void configChanged();

    /** The Status register (§2.1); bit 6 is DEVICE_NEEDS_RESET. */
    int status();
}
