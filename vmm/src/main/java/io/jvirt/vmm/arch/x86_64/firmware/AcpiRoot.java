package io.jvirt.vmm.arch.x86_64.firmware;

import java.util.List;

/** The root of the ACPI tables: RSDP, XSDT and the FACS (ACPI 6.5 §5.2.5, §5.2.8, §5.2.10). */
final class AcpiRoot {
    static final int RSDP_LENGTH = 36;
    static final int RSDP_REVISION = 2; // ACPI 2.0+: XSDT address present
    static final int XSDT_REVISION = 1;
    static final int FACS_LENGTH = 64;
    /** FACS version 2 (ACPI 4.0 onwards, Table 5.14). */
    static final int FACS_VERSION = 2;
    /** The FACS must be 64-byte aligned (§5.2.10). */
    static final int FACS_ALIGN = 64;

    private AcpiRoot() {
    }

    /** RSDP, Table 5.3: checksum over the first 20 bytes, extended checksum over all 36. */
    static byte[] rsdp(long xsdt) {
        Bytes b = new Bytes();
        b.ascii("RSD PTR ", 8, ' ').u8(0).ascii(Sdt.OEM_ID, 6, ' ').u8(RSDP_REVISION);
        b.u32(0);                  // RsdtAddress: none, the XSDT replaces it
        b.u32(RSDP_LENGTH).u64(xsdt).u8(0).zeros(3);
        byte[] t = b.toArray();
        t[8] = (byte) Bytes.checksum(t, 0, 20);
        t[32] = (byte) Bytes.checksum(t, 0, RSDP_LENGTH);
        return t;
    }

    /** XSDT, Table 5.6: 64-bit addresses of the other tables (but the DSDT and FACS, via the FADT). */
    static byte[] xsdt(List<Long> tables) {
        Bytes b = Sdt.begin("XSDT", XSDT_REVISION);
        for (long t : tables) {
            b.u64(t);
        }
        return Sdt.finish(b);
    }

    /** FACS, Table 5.14: no checksum; hardware signature 0, no waking vector, no global lock. */
    static byte[] facs() {
        Bytes b = new Bytes();
        b.ascii("FACS", 4, ' ').u32(FACS_LENGTH).u32(0).u32(0).u32(0).u32(0).u64(0);
        b.u8(FACS_VERSION).zeros(3).u32(0).zeros(24);
        return b.toArray();
    }
}
