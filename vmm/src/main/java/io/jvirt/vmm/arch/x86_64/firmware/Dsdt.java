package io.jvirt.vmm.arch.x86_64.firmware;

import static io.jvirt.vmm.arch.x86_64.firmware.Aml.device;
import static io.jvirt.vmm.arch.x86_64.firmware.Aml.eisaId;
import static io.jvirt.vmm.arch.x86_64.firmware.Aml.integer;
import static io.jvirt.vmm.arch.x86_64.firmware.Aml.name;
import static io.jvirt.vmm.arch.x86_64.firmware.Aml.resourceTemplate;
import static io.jvirt.vmm.arch.x86_64.firmware.Aml.string;

import io.jvirt.vmm.devices.acpi.AcpiPm;
import java.util.ArrayList;
import java.util.List;

/**
 * The Differentiated System Description Table (ACPI 6.5 §5.2.11.1): {@code \_S5} (soft off, so
 * the OS can power the machine down through PM1a_CNT), one processor device (ACPI0007) per CPU,
 * the legacy ISA devices of LAYOUT.md (COM1, the i8042 keyboard port, the CMOS RTC) and the
 * virtio-mmio transports (LNRO0005, matched by Linux's virtio_mmio driver).
 */
final class Dsdt {
    /** Revision 2: integers are 64 bits (§5.2.11.1). */
    static final int REVISION = 2;
    /** _STA: present, enabled, shown in UI, functioning (ACPI 6.5 §6.3.7). */
    static final int STA_PRESENT = 0x0f;

    // ISA devices; LAYOUT.md, the ports and IRQs of an IBM PC/AT.
    static final int COM1_PORT = 0x3f8;
    static final int COM1_IRQ = 4;
    static final int I8042_DATA_PORT = 0x60;
    static final int I8042_CMD_PORT = 0x64;
    static final int I8042_KBD_IRQ = 1;
    static final int RTC_PORT = 0x70;
    static final int RTC_IRQ = 8;

    private Dsdt() {
    }

    static byte[] build(FirmwareConfig config) {
        List<byte[]> sb = new ArrayList<>();
        for (int cpu = 0; cpu < config.cpus(); cpu++) {
            // Processor device; its _UID matches the MADT Local APIC's ACPI Processor UID (§8.4).
            sb.add(device(String.format("C%03X", cpu),
                    name("_HID", string("ACPI0007")),
                    name("_UID", integer(cpu))));
        }
        sb.add(device("COM1",
                name("_HID", eisaId("PNP0501")),
                name("_UID", integer(1)),
                Aml.method("_STA", 0, Aml.returnValue(integer(STA_PRESENT))),
                name("_CRS", resourceTemplate(
                        Resources.io(COM1_PORT, COM1_PORT, 0x01, 8),
                        Resources.irqNoFlags(COM1_IRQ)))));
        sb.add(device("PS2K",
                name("_HID", eisaId("PNP0303")),
                name("_CRS", resourceTemplate(
                        Resources.io(I8042_DATA_PORT, I8042_DATA_PORT, 0x01, 1),
                        Resources.io(I8042_CMD_PORT, I8042_CMD_PORT, 0x01, 1),
                        Resources.irqNoFlags(I8042_KBD_IRQ)))));
        sb.add(device("RTC",
                name("_HID", eisaId("PNP0B00")),
                name("_CRS", resourceTemplate(
                        Resources.io(RTC_PORT, RTC_PORT, 0x01, 2),
                        Resources.irqNoFlags(RTC_IRQ)))));
        List<FirmwareConfig.VirtioMmio> virtio = config.virtioMmio();
        for (int i = 0; i < virtio.size(); i++) {
            FirmwareConfig.VirtioMmio v = virtio.get(i);
            sb.add(device(String.format("VR%02X", i),
                    name("_HID", string("LNRO0005")),
                    name("_UID", integer(i)),
                    name("_CCA", integer(1)), // cache-coherent DMA (§6.2.17)
                    name("_CRS", resourceTemplate(
                            Resources.memory32Fixed(v.base(), v.size()),
                            Resources.interruptLevelHigh(v.gsi())))));
        }
        Bytes b = Sdt.begin("DSDT", REVISION);
        // \_S5: {PM1a_CNT.SLP_TYP, PM1b_CNT.SLP_TYP, reserved, reserved} (§7.4.2).
        b.bytes(name("\\_S5", Aml.pkg(integer(AcpiPm.SLP_TYP_S5), integer(0), integer(0), integer(0))));
        b.bytes(Aml.scope("\\_SB", sb.toArray(byte[][]::new)));
        return Sdt.finish(b);
    }
}
