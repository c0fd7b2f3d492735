package io.jvirt.vmm.arch.x86_64.firmware;

import io.jvirt.vmm.devices.acpi.AcpiPm;

/**
 * The Multiple APIC Description Table (ACPI 6.5 §5.2.12): one enabled Processor Local APIC per
 * CPU (ACPI processor UID = APIC ID = index), the IOAPIC, the ISA interrupt source overrides
 * QEMU's pc/q35 machines declare (IRQ0 on GSI 2; the SCI, IRQ 9, level and active high) and
 * LINT1 of every local APIC as NMI.
 */
final class Madt {
    static final int REVISION = 5; // ACPI 6.3+
    /** Local APIC base; Intel SDM Vol. 3A §11.4.1 (IA32_APIC_BASE default). */
    static final long LAPIC_ADDRESS = 0xfee0_0000L;
    /** IOAPIC base and ID; QEMU's ACPI_BUILD_IOAPIC_ID is 0, KVM's IOAPIC ID resets to 0. */
    static final long IOAPIC_ADDRESS = 0xfec0_0000L;
    static final int IOAPIC_ID = 0;
    /** Flags: PCAT_COMPAT, a dual 8259 is present (Table 5.20). */
    static final int PCAT_COMPAT = 1;

    // Interrupt controller structure types, Table 5.21.
    static final int TYPE_LOCAL_APIC = 0;
    static final int TYPE_IO_APIC = 1;
    static final int TYPE_INTERRUPT_SOURCE_OVERRIDE = 2;
    static final int TYPE_LOCAL_APIC_NMI = 4;

    /** MPS INTI flags (Table 5.26): polarity bits 1:0 (01 high), trigger bits 3:2 (11 level). */
    static final int INTI_CONFORMING = 0;
    static final int INTI_ACTIVE_HIGH_LEVEL = 0b1101;
    /** Processor UID 0xff in a Local APIC NMI structure means every processor. */
    static final int ALL_PROCESSORS = 0xff;
    static final int LINT1 = 1;

    private Madt() {
    }

    static byte[] build(int cpus) {
        Bytes b = Sdt.begin("APIC", REVISION);
        b.u32(LAPIC_ADDRESS);
        b.u32(PCAT_COMPAT);
        for (int cpu = 0; cpu < cpus; cpu++) {
            b.u8(TYPE_LOCAL_APIC).u8(8).u8(cpu).u8(cpu).u32(1); // UID, APIC ID, flags: Enabled
        }
        b.u8(TYPE_IO_APIC).u8(12).u8(IOAPIC_ID).u8(0).u32(IOAPIC_ADDRESS).u32(0); // GSI base 0
        b.u8(TYPE_INTERRUPT_SOURCE_OVERRIDE).u8(10).u8(0).u8(0).u32(2).u16(INTI_CONFORMING); // ISA IRQ0 -> GSI2
        b.u8(TYPE_INTERRUPT_SOURCE_OVERRIDE).u8(10).u8(0).u8(AcpiPm.SCI_GSI).u32(AcpiPm.SCI_GSI)
                .u16(INTI_ACTIVE_HIGH_LEVEL);
        b.u8(TYPE_LOCAL_APIC_NMI).u8(6).u8(ALL_PROCESSORS).u16(INTI_CONFORMING).u8(LINT1);
        return Sdt.finish(b);
    }
}
