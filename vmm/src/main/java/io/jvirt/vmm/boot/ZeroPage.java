package io.jvirt.vmm.boot;

/** Offsets in struct boot_params, the "zero page" (Documentation/arch/x86/zero-page.rst). */
final class ZeroPage {

    static final long ADDRESS = 0x7000;       // LAYOUT.md
    static final int SIZE = 4096;
    static final int ACPI_RSDP_ADDR = 0x070;  // u64
    static final int EXT_RAMDISK_IMAGE = 0x0c0; // u32: bits 32-63 of ramdisk_image
    static final int EXT_RAMDISK_SIZE = 0x0c4;  // u32
    static final int EXT_CMD_LINE_PTR = 0x0c8;  // u32
    static final int E820_ENTRIES = 0x1e8;    // u8
    static final int SETUP_HEADER = 0x1f1;    // struct setup_header
    static final int E820_TABLE = 0x2d0;      // struct boot_e820_entry[128]

    /** The kernel command line (LAYOUT.md), NUL-terminated. */
    static final long CMDLINE = 0x20000;
    /** Room for the command line: 0x20000–0x2ffff, far below the EBDA. */
    static final long CMDLINE_MAX = 0x10000;

    private ZeroPage() {
    }
}
