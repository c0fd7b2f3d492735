package io.jvirt.vmm.machine;

import io.jvirt.vmm.devices.IoBus;
import io.jvirt.vmm.devices.IrqLine;
import io.jvirt.vmm.devices.PowerControl;
import io.jvirt.vmm.memory.GuestMemory;

/**
 * WIRING POINT for parts other helpers provide (shared LAYOUT.md, "Wiring APIs"). Everything the
 * machine takes from the firmware helper goes through here, so merging their work touches
 * this one file.
 */
final class Wiring {

    /** ACPI SCI (LAYOUT.md: GSI 9). */
    static final int SCI_GSI = 9;

    private Wiring() {
    }

    /**
     * Writes the firmware tables (ACPI RSDP/XSDT/FADT/MADT/DSDT, MP table) into 0xE0000–0xFFFFF
     * and returns the RSDP address, or 0 when there are none.
     * TODO(firmware helper merge): return Firmware.install(memory, new FirmwareConfig(cpus));
     */
    static long installFirmware(GuestMemory memory, int cpus) {
        return 0;
    }

    /**
     * Registers the ACPI PM block (power button, S5 power-off, reset register).
     * TODO(firmware helper merge): new AcpiPm(power, sci).register(pio);
     */
    static void registerAcpiPm(IoBus pio, PowerControl power, IrqLine sci) {
    }
}
