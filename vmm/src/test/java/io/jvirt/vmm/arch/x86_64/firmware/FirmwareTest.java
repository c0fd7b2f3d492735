package io.jvirt.vmm.arch.x86_64.firmware;

import static io.jvirt.vmm.arch.x86_64.firmware.GuestTables.u16;
import static io.jvirt.vmm.arch.x86_64.firmware.GuestTables.u32;
import static io.jvirt.vmm.arch.x86_64.firmware.GuestTables.u8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.sys.HostMemory;
import io.jvirt.vmm.devices.acpi.AcpiPm;
import io.jvirt.vmm.memory.GuestMemory;
import io.jvirt.vmm.memory.GuestRam;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The tables as an OS reads them from guest memory: pointers, checksums, MADT and FADT fields. */
class FirmwareTest {

    @ParameterizedTest(name = "{0} CPUs")
    @ValueSource(ints = {1, 2, 8, 254})
    void acpiTablesChainAndChecksum(int cpus) {
        GuestMemory memory = GuestRam.allocate(GuestRam.MIN_SIZE);
        try (HostMemory backing = memory.backing()) {
            long rsdp = Firmware.install(memory, FirmwareConfig.of(cpus));
            assertEquals(0xe0000, rsdp);
            GuestTables t = new GuestTables(memory, rsdp);
            assertEquals(List.of("XSDT", "FACP", "APIC", "DSDT", "FACS"), List.copyOf(t.tables.keySet()));
            for (long addr : t.addresses.values()) {
                assertTrue(addr >= 0xe0000 && addr < 0xf0000, "ACPI table in 0xE0000-0xEFFFF: 0x" + Long.toHexString(addr));
            }
            byte[] fadt = t.tables.get("FACP");
            assertEquals(Fadt.LENGTH, fadt.length);
            assertEquals(AcpiPm.SCI_GSI, u16(fadt, Fadt.SCI_INT));
            assertEquals(AcpiPm.PM1A_EVT_BLK, u32(fadt, Fadt.PM1A_EVT_BLK));
            assertEquals(AcpiPm.PM1A_CNT_BLK, u32(fadt, Fadt.PM1A_CNT_BLK));
            assertEquals(AcpiPm.PM_TMR_BLK, u32(fadt, Fadt.PM_TMR_BLK));
            assertEquals(0, u32(fadt, Fadt.SMI_CMD));
            assertEquals(0, u32(fadt, Fadt.FLAGS) & (Fadt.HW_REDUCED_ACPI | Fadt.PWR_BUTTON));
            assertEquals(0x32, u8(fadt, Fadt.CENTURY));
            assertEquals(AcpiPm.RESET_VALUE, u8(fadt, Fadt.RESET_VALUE));
            assertEquals(AcpiPm.RESET_REG, u32(fadt, Fadt.RESET_REG + 4));

            List<int[]> lapics = new ArrayList<>();
            List<int[]> overrides = new ArrayList<>();
            int ioapics = 0;
            int nmis = 0;
            byte[] madt = t.tables.get("APIC");
            assertEquals(0xfee00000L, u32(madt, 36));
            for (int off = 44; off < madt.length; off += u8(madt, off + 1)) {
                switch (u8(madt, off)) {
                    case 0 -> lapics.add(new int[] {u8(madt, off + 2), u8(madt, off + 3), (int) u32(madt, off + 4)});
                    case 1 -> {
                        ioapics++;
                        assertEquals(0xfec00000L, u32(madt, off + 4));
                        assertEquals(0, u32(madt, off + 8));
                    }
                    case 2 -> overrides.add(new int[] {u8(madt, off + 3), (int) u32(madt, off + 4), u16(madt, off + 8)});
                    case 4 -> {
                        nmis++;
                        assertEquals(0xff, u8(madt, off + 2));
                        assertEquals(1, u8(madt, off + 5));
                    }
                    default -> throw new AssertionError("unexpected MADT entry type " + u8(madt, off));
                }
            }
            assertEquals(cpus, lapics.size());
            for (int i = 0; i < cpus; i++) {
                assertArrayEquals(new int[] {i, i, 1}, lapics.get(i));
            }
            assertEquals(1, ioapics);
            assertEquals(1, nmis);
            assertEquals(2, overrides.size());
            assertArrayEquals(new int[] {0, 2, 0}, overrides.get(0));
            assertArrayEquals(new int[] {9, 9, 0b1101}, overrides.get(1));
        }
    }

    @Test
    void tablesOutsideRamAreRefusedWithoutWriting() {
        try (TestGuestMemory memory = new TestGuestMemory(0, 0x9f000, 0x100000, 1 << 20)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Firmware.install(memory, FirmwareConfig.of(1)));
            assertTrue(e.getMessage().contains("0xe0000-0xfffff is not RAM"), e.getMessage());
        }
    }

    @Test
    void badConfigsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> FirmwareConfig.of(0));
        assertThrows(IllegalArgumentException.class, () -> FirmwareConfig.of(255));
        assertThrows(IllegalArgumentException.class, () -> new FirmwareConfig.VirtioMmio(0xd0000000L, 0x1000, 24));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new FirmwareConfig.VirtioMmio(0xd0000000L, 0x1000, 9));
        assertTrue(e.getMessage().contains("GSI 9"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new FirmwareConfig.VirtioMmio(0xffff_f000L, 0x2000, 5));
    }

    @Test
    void virtioKernelParameterForAcpiOff() {
        assertEquals("virtio_mmio.device=512@0xd0000000:5",
                new FirmwareConfig.VirtioMmio(0xd0000000L, 0x200, 5).kernelParameter());
        assertEquals(List.of(), new FirmwareConfig(2).virtioMmio());
    }

    @Test
    void amlEncodings() {
        // PkgLength, ACPI 6.5 §20.2.4: one byte up to 63, else a lead byte with the count.
        assertArrayEquals(new byte[] {0x3f}, Aml.pkgLength(62));
        assertArrayEquals(new byte[] {0x41, 0x04}, Aml.pkgLength(63)); // 65 = 0x41
        assertArrayEquals(new byte[] {0x4f, (byte) 0xff}, Aml.pkgLength(0xffd)); // total 0xfff in two bytes
        assertArrayEquals(new byte[] {(byte) 0x81, 0x00, 0x01}, Aml.pkgLength(0xffe)); // total 0x1001 needs three
        // EISAID("PNP0501") = 0x0105D041, as iasl compiles it.
        assertArrayEquals(new byte[] {0x0c, 0x41, (byte) 0xd0, 0x05, 0x01}, Aml.eisaId("PNP0501"));
        assertArrayEquals(new byte[] {0x5c, 0x5f, 0x53, 0x35, 0x5f}, Aml.nameString("\\_S5"));
        assertArrayEquals(new byte[] {0x2e, 'C', 'O', 'M', '1', '_', 'S', 'T', 'A'}, Aml.nameString("COM1._STA"));
        assertArrayEquals(new byte[] {0x0b, 0x00, 0x10}, Aml.integer(0x1000));
        assertThrows(IllegalArgumentException.class, () -> Aml.nameSeg("com1"));
        assertThrows(IllegalArgumentException.class, () -> Aml.eisaId("PNP05"));
    }

    @Test
    void checksumMakesTheSumZero() {
        byte[] b = {1, 2, 3, (byte) 0xf0, 0};
        b[4] = (byte) Bytes.checksum(b, 0, 5);
        assertEquals(0, Bytes.sum(b, 0, 5));
    }
}
