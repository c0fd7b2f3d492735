package io.jvirt.vmm.arch.x86_64.firmware;

import io.jvirt.vmm.devices.acpi.AcpiPm;

/**
 * The Intel MultiProcessor Specification 1.4 tables (MP spec chapter 4), for kernels booted
 * with acpi=off: the MP floating pointer structure and the MP configuration table with one
 * processor entry per CPU, an ISA bus, the IOAPIC and the ISA interrupt assignments SeaBIOS's
 * mptable.c gives QEMU guests (IRQ0 on INTIN2, no IRQ2, ExtINT on LINT0 of the BSP, NMI on
 * LINT1 of all), with the SCI and the virtio-mmio interrupts level-triggered and active high.
 */
final class MpTable {
    static final int FLOATING_LENGTH = 16;
    static final int HEADER_LENGTH = 44;
    /** Spec revision 1.4. */
    static final int SPEC_REV = 4;
    /** Local APIC version for the processor entries: 0x14, an integrated xAPIC (Intel SDM 11.4.8). */
    static final int LAPIC_VERSION = 0x14;
    /** IOAPIC version register of the 82093AA (and KVM's IOAPIC): 0x11. */
    static final int IOAPIC_VERSION = 0x11;
    /** CPU signature family 6 (CPUID.1:EAX) and features FPU|APIC (CPUID.1:EDX bits 0 and 9). */
    static final int CPU_SIGNATURE = 0x600;
    static final int CPU_FEATURES = 1 | (1 << 9);

    // Entry types, MP spec Table 4-3.
    static final int PROCESSOR = 0;
    static final int BUS = 1;
    static final int IOAPIC = 2;
    static final int IO_INTERRUPT = 3;
    static final int LOCAL_INTERRUPT = 4;
    // Interrupt types, Table 4-10.
    static final int INT = 0;
    static final int NMI = 1;
    static final int EXT_INT = 3;
    /** Flags: PO=01 active high, EL=11 level (Table 4-10). */
    static final int ACTIVE_HIGH_LEVEL = 0b1101;
    static final int ISA_BUS_ID = 0;

    private MpTable() {
    }

    /** The floating pointer structure (Table 4-1) pointing at a configuration table at {@code config}. */
    static byte[] floatingPointer(long config) {
        Bytes b = new Bytes();
        b.ascii("_MP_", 4, ' ').u32(config).u8(1).u8(SPEC_REV).u8(0);
        b.u8(0);  // feature byte 1: 0 = a configuration table is present
        b.u8(0);  // feature byte 2: IMCRP clear, virtual wire mode
        b.zeros(3);
        byte[] t = b.toArray();
        t[10] = (byte) Bytes.checksum(t, 0, FLOATING_LENGTH);
        return t;
    }

    /** The configuration table (header Table 4-2, then entries sorted by type). */
    static byte[] configTable(FirmwareConfig config) {
        Bytes b = new Bytes();
        b.ascii("PCMP", 4, ' ').u16(0).u8(SPEC_REV).u8(0);
        b.ascii("JVIRT", 8, ' ').ascii("JVIRTVM", 12, ' ');
        b.u32(0).u16(0);                 // no OEM table
        b.u16(0);                        // entry count, patched below
        b.u32(Madt.LAPIC_ADDRESS);
        b.u16(0).u8(0).u8(0);            // no extended table
        int entries = 0;
        for (int cpu = 0; cpu < config.cpus(); cpu++) {
            int flags = 1 | (cpu == 0 ? 2 : 0); // EN, BP
            b.u8(PROCESSOR).u8(cpu).u8(LAPIC_VERSION).u8(flags).u32(CPU_SIGNATURE).u32(CPU_FEATURES).zeros(8);
            entries++;
        }
        b.u8(BUS).u8(ISA_BUS_ID).ascii("ISA", 6, ' ');
        entries++;
        b.u8(IOAPIC).u8(Madt.IOAPIC_ID).u8(IOAPIC_VERSION).u8(1).u32(Madt.IOAPIC_ADDRESS);
        entries++;
        int levelHigh = 1 << AcpiPm.SCI_GSI;
        for (FirmwareConfig.VirtioMmio v : config.virtioMmio()) {
            levelHigh |= 1 << v.gsi();
        }
        for (int irq = 0; irq <= FirmwareConfig.VirtioMmio.MAX_GSI; irq++) {
            if (irq == 2 || (irq >= 16 && (levelHigh & (1 << irq)) == 0)) {
                continue; // IRQ0 takes INTIN2; pins above 15 only where a device uses them
            }
            int flags = (levelHigh & (1 << irq)) != 0 ? ACTIVE_HIGH_LEVEL : 0;
            int pin = irq == 0 ? 2 : irq;
            b.u8(IO_INTERRUPT).u8(INT).u16(flags).u8(ISA_BUS_ID).u8(irq).u8(Madt.IOAPIC_ID).u8(pin);
            entries++;
        }
        b.u8(LOCAL_INTERRUPT).u8(EXT_INT).u16(0).u8(ISA_BUS_ID).u8(0).u8(0).u8(0);       // BSP LINT0
        b.u8(LOCAL_INTERRUPT).u8(NMI).u16(0).u8(ISA_BUS_ID).u8(0).u8(0xff).u8(1);       // all LINT1
        entries += 2;
        b.putU16(4, b.size());
        b.putU16(34, entries);
        byte[] t = b.toArray();
        t[7] = (byte) Bytes.checksum(t, 0, t.length);
        return t;
    }
}
