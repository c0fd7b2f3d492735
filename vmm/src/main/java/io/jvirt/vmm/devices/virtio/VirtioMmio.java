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

    static VirtioMmio create(VirtioDevice device, GuestMemory memory, IrqLine irq) {
        return new MmioTransport(device, memory, irq);
    }

    /** The device's configuration changed: bump ConfigGeneration and interrupt the driver (§4.2.2). */
    void configChanged();

    /** The Status register (§2.1); bit 6 is DEVICE_NEEDS_RESET. */
    int status();
}
