package io.jvirt.vmm.arch.x86_64.firmware;

import io.jvirt.vmm.devices.acpi.AcpiPm;

/**
 * The Fixed ACPI Description Table, revision 6.5 (ACPI 6.5 §5.2.9, Table 5.9; 276 bytes).
 * Not hardware-reduced: the PM1a event/control blocks and the PM timer of {@link AcpiPm} in
 * system I/O, the SCI on IRQ 9, the reset register, a fixed-feature power button, the RTC's
 * century byte and the IA-PC boot architecture flags (legacy devices, i8042, no VGA).
 */
final class Fadt {
    static final int REVISION = 6;
    static final int MINOR_REVISION = 5;
    static final int LENGTH = 276;

    // Field offsets, ACPI 6.5 Table 5.9.
    static final int FIRMWARE_CTRL = 36;
    static final int DSDT = 40;
    static final int SCI_INT = 46;
    static final int SMI_CMD = 48;
    static final int PM1A_EVT_BLK = 56;
    static final int PM1A_CNT_BLK = 64;
    static final int PM_TMR_BLK = 76;
    static final int PM1_EVT_LEN = 88;
    static final int CENTURY = 108;
    static final int IAPC_BOOT_ARCH = 109;
    static final int FLAGS = 112;
    static final int RESET_REG = 116;
    static final int RESET_VALUE = 128;
    static final int X_DSDT = 140;

    // Flags, ACPI 6.5 Table 5.10.
    static final int WBINVD = 1 << 0;
    static final int PROC_C1 = 1 << 2;
    /** PWR_BUTTON (bit 4) stays clear: the power button is a fixed feature. */
    static final int PWR_BUTTON = 1 << 4;
    /** SLP_BUTTON set: no sleep button (or a control-method one); we have none. */
    static final int SLP_BUTTON = 1 << 5;
    /** FIX_RTC set: the RTC alarm does not wake through PM1_STS.RTC_STS. */
    static final int FIX_RTC = 1 << 6;
    /** TMR_VAL_EXT: the PM timer is 32 bits wide. */
    static final int TMR_VAL_EXT = 1 << 8;
    static final int RESET_REG_SUP = 1 << 10;
    static final int HW_REDUCED_ACPI = 1 << 20;

    // IAPC_BOOT_ARCH, ACPI 6.5 Table 5.11.
    static final int LEGACY_DEVICES = 1 << 0;
    static final int I8042 = 1 << 1;
    static final int VGA_NOT_PRESENT = 1 << 2;

    /** CMOS register holding the century in BCD; QEMU's mc146818rtc RTC_CENTURY, SeaBIOS too. */
    static final int RTC_CENTURY_REGISTER = 0x32;
    /** P_LVL2_LAT > 100 and P_LVL3_LAT > 1000 say C2/C3 are not supported (Table 5.9). */
    static final int NO_C2_LATENCY = 0x0fff;
    static final int NO_C3_LATENCY = 0x0fff;

    // Generic Address Structure (§5.2.3.2) address spaces and access sizes.
    static final int GAS_SYSTEM_IO = 1;
    static final int ACCESS_BYTE = 1;
    static final int ACCESS_WORD = 2;
    static final int ACCESS_DWORD = 3;

    private Fadt() {
    }

    static byte[] build(long facs, long dsdt) {
        Bytes b = Sdt.begin("FACP", REVISION);
        b.u32(facs);                        // 36 FIRMWARE_CTRL
        b.u32(dsdt);                        // 40 DSDT
        b.u8(0);                            // 44 reserved (ACPI 1.0 INT_MODEL)
        b.u8(0);                            // 45 Preferred_PM_Profile: unspecified
        b.u16(AcpiPm.SCI_GSI);              // 46 SCI_INT
        b.u32(0);                           // 48 SMI_CMD: none, the platform is always in ACPI mode
        b.u8(0).u8(0).u8(0).u8(0);          // 52 ACPI_ENABLE, ACPI_DISABLE, S4BIOS_REQ, PSTATE_CNT
        b.u32(AcpiPm.PM1A_EVT_BLK);         // 56 PM1a_EVT_BLK
        b.u32(0);                           // 60 PM1b_EVT_BLK
        b.u32(AcpiPm.PM1A_CNT_BLK);         // 64 PM1a_CNT_BLK
        b.u32(0);                           // 68 PM1b_CNT_BLK
        b.u32(0);                           // 72 PM2_CNT_BLK
        b.u32(AcpiPm.PM_TMR_BLK);           // 76 PM_TMR_BLK
        b.u32(0).u32(0);                    // 80 GPE0_BLK, GPE1_BLK: none
        b.u8(AcpiPm.PM1_EVT_LEN);           // 88 PM1_EVT_LEN
        b.u8(AcpiPm.PM1_CNT_LEN);           // 89 PM1_CNT_LEN
        b.u8(0);                            // 90 PM2_CNT_LEN
        b.u8(AcpiPm.PM_TMR_LEN);            // 91 PM_TMR_LEN
        b.u8(0).u8(0).u8(0);                // 92 GPE0_BLK_LEN, GPE1_BLK_LEN, GPE1_BASE
        b.u8(0);                            // 95 CST_CNT
        b.u16(NO_C2_LATENCY);               // 96 P_LVL2_LAT
        b.u16(NO_C3_LATENCY);               // 98 P_LVL3_LAT
        b.u16(0).u16(0);                    // 100 FLUSH_SIZE, FLUSH_STRIDE
        b.u8(0).u8(0);                      // 104 DUTY_OFFSET, DUTY_WIDTH
        b.u8(0).u8(0);                      // 106 DAY_ALRM, MON_ALRM
        b.u8(RTC_CENTURY_REGISTER);         // 108 CENTURY
        b.u16(LEGACY_DEVICES | I8042 | VGA_NOT_PRESENT); // 109 IAPC_BOOT_ARCH
        b.u8(0);                            // 111 reserved
        b.u32(WBINVD | PROC_C1 | SLP_BUTTON | FIX_RTC | TMR_VAL_EXT | RESET_REG_SUP); // 112 Flags
        gas(b, GAS_SYSTEM_IO, 8, ACCESS_BYTE, AcpiPm.RESET_REG); // 116 RESET_REG
        b.u8(AcpiPm.RESET_VALUE);           // 128 RESET_VALUE
        b.u16(0);                           // 129 ARM_BOOT_ARCH
        b.u8(MINOR_REVISION);               // 131 FADT Minor Version
        b.u64(0);                           // 132 X_FIRMWARE_CTRL: zero because FIRMWARE_CTRL is set
        b.u64(dsdt);                        // 140 X_DSDT
        gas(b, GAS_SYSTEM_IO, AcpiPm.PM1_EVT_LEN * 8, ACCESS_WORD, AcpiPm.PM1A_EVT_BLK); // 148
        gas(b, 0, 0, 0, 0);                 // 160 X_PM1b_EVT_BLK
        gas(b, GAS_SYSTEM_IO, AcpiPm.PM1_CNT_LEN * 8, ACCESS_WORD, AcpiPm.PM1A_CNT_BLK); // 172
        gas(b, 0, 0, 0, 0);                 // 184 X_PM1b_CNT_BLK
        gas(b, 0, 0, 0, 0);                 // 196 X_PM2_CNT_BLK
        gas(b, GAS_SYSTEM_IO, AcpiPm.PM_TMR_LEN * 8, ACCESS_DWORD, AcpiPm.PM_TMR_BLK); // 208
        gas(b, 0, 0, 0, 0);                 // 220 X_GPE0_BLK
        gas(b, 0, 0, 0, 0);                 // 232 X_GPE1_BLK
        gas(b, 0, 0, 0, 0);                 // 244 SLEEP_CONTROL_REG (hardware-reduced only)
        gas(b, 0, 0, 0, 0);                 // 256 SLEEP_STATUS_REG
        b.u64(0);                           // 268 Hypervisor Vendor Identity
        byte[] t = Sdt.finish(b);
        assert t.length == LENGTH : t.length;
        return t;
    }

    /** Generic Address Structure, ACPI 6.5 §5.2.3.2: space, bit width, bit offset 0, access size, address. */
    static void gas(Bytes b, int space, int bitWidth, int accessSize, long address) {
        b.u8(space).u8(bitWidth).u8(0).u8(accessSize).u64(address);
    }
}
