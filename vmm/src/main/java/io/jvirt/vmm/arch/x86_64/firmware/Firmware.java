package io.jvirt.vmm.arch.x86_64.firmware;

import io.jvirt.vmm.memory.GuestMemory;
import java.util.List;

/**
 * The firmware tables a PC BIOS leaves for the OS: ACPI (RSDP, XSDT, FADT, FACS, MADT, DSDT)
 * and the Intel MP table, written into the BIOS area 0xE0000–0xFFFFF (LAYOUT.md).
 *
 * <p>Layout: the ACPI tables from 0xE0000 (the RSDP first, on a 16-byte boundary inside the
 * range the ACPI spec §5.2.5.1 has OSes scan), the MP floating pointer at 0xF0000 followed by
 * its configuration table (the MP spec §4 has OSes scan 0xF0000–0xFFFFF). The tables are built
 * completely before anything is written, so an error leaves guest memory untouched.
 *
 * <p>A final class rather than an interface: it is a single stateless entry point.
 */
public final class Firmware {
    /** The BIOS area holding the tables; e820-reserved by the machine (LAYOUT.md). */
    public static final long BIOS_AREA = 0xe_0000L;
    public static final int BIOS_AREA_SIZE = 0x2_0000;
    /** Where the RSDP goes: start of the BIOS area, 16-byte aligned (ACPI 6.5 §5.2.5.1). */
    public static final long RSDP_ADDRESS = BIOS_AREA;
    /** Where the MP floating pointer goes: start of the BIOS ROM range 0xF0000 (MP spec 1.4 §4). */
    public static final long MP_FLOATING_ADDRESS = 0xf_0000L;

    private Firmware() {
    }

    /**
     * Writes the tables for {@code config} into {@code memory} and returns the RSDP's
     * guest-physical address for boot_params.acpi_rsdp_addr.
     *
     * @throws IllegalArgumentException when 0xE0000–0xFFFFF is not RAM in {@code memory}
     */
    public static long install(GuestMemory memory, FirmwareConfig config) {
        if (!memory.isRam(BIOS_AREA, BIOS_AREA_SIZE)) {
            throw new IllegalArgumentException(String.format(
                    "firmware tables: 0x%x-0x%x is not RAM in guest memory %s; map low RAM from 0 to at least 1 MiB",
                    BIOS_AREA, BIOS_AREA + BIOS_AREA_SIZE - 1, memory.regions()));
        }
        memory.write(BIOS_AREA, image(config));
        return RSDP_ADDRESS;
    }

    /** The 128 KiB image of 0xE0000–0xFFFFF holding every table. */
    static byte[] image(FirmwareConfig config) {
        byte[] image = new byte[BIOS_AREA_SIZE];
        long acpiEnd = MP_FLOATING_ADDRESS;
        // Place the tables first, then build those that point at others.
        long cursor = RSDP_ADDRESS + AcpiRoot.RSDP_LENGTH;
        long facs = align(cursor, AcpiRoot.FACS_ALIGN);
        cursor = facs + AcpiRoot.FACS_LENGTH;
        byte[] dsdt = Dsdt.build(config);
        long dsdtAddr = align(cursor, 16);
        cursor = dsdtAddr + dsdt.length;
        byte[] fadt = Fadt.build(facs, dsdtAddr);
        long fadtAddr = align(cursor, 16);
        cursor = fadtAddr + fadt.length;
        byte[] madt = Madt.build(config.cpus());
        long madtAddr = align(cursor, 16);
        cursor = madtAddr + madt.length;
        byte[] xsdt = AcpiRoot.xsdt(List.of(fadtAddr, madtAddr));
        long xsdtAddr = align(cursor, 16);
        cursor = xsdtAddr + xsdt.length;
        if (cursor > acpiEnd) {
            throw new IllegalArgumentException(String.format(
                    "firmware tables: ACPI tables for %d CPUs and %d virtio devices end at 0x%x, past 0x%x; use fewer",
                    config.cpus(), config.virtioMmio().size(), cursor, acpiEnd));
        }
        put(image, RSDP_ADDRESS, AcpiRoot.rsdp(xsdtAddr));
        put(image, facs, AcpiRoot.facs());
        put(image, dsdtAddr, dsdt);
        put(image, fadtAddr, fadt);
        put(image, madtAddr, madt);
        put(image, xsdtAddr, xsdt);

        long mpConfig = MP_FLOATING_ADDRESS + MpTable.FLOATING_LENGTH;
        byte[] mp = MpTable.configTable(config);
        if (mpConfig + mp.length > BIOS_AREA + BIOS_AREA_SIZE) {
            throw new IllegalArgumentException("firmware tables: MP table of " + mp.length
                    + " bytes does not fit below 1 MiB; use fewer CPUs");
        }
        put(image, MP_FLOATING_ADDRESS, MpTable.floatingPointer(mpConfig));
        put(image, mpConfig, mp);
        return image;
    }

    private static long align(long v, int to) {
        return (v + to - 1) & -to;
    }

    private static void put(byte[] image, long gpa, byte[] table) {
        System.arraycopy(table, 0, image, (int) (gpa - BIOS_AREA), table.length);
    }
}
