package io.jvirt.vmm.arch.x86_64.firmware;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvirt.vmm.memory.GuestMemory;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the ACPI tables back out of guest memory the way an OS does: RSDP, then the XSDT, then
 * the FADT's DSDT and FACS pointers; checks every checksum and length on the way.
 */
final class GuestTables {
    final long rsdpAddress;
    final byte[] rsdp;
    /** Tables by signature, in XSDT order, then DSDT and FACS. */
    final Map<String, byte[]> tables = new LinkedHashMap<>();
    final Map<String, Long> addresses = new LinkedHashMap<>();

    GuestTables(GuestMemory memory, long rsdpAddress) {
        this.rsdpAddress = rsdpAddress;
        rsdp = memory.read(rsdpAddress, 36);
        assertEquals("RSD PTR ", ascii(rsdp, 0, 8), "RSDP signature");
        assertEquals(0, Bytes.sum(rsdp, 0, 20), "RSDP checksum (first 20 bytes)");
        assertEquals(0, Bytes.sum(rsdp, 0, 36), "RSDP extended checksum");
        assertEquals(2, rsdp[15], "RSDP revision");
        assertEquals(36, u32(rsdp, 20), "RSDP length");
        long xsdtAddr = u64(rsdp, 24);
        byte[] xsdt = table(memory, xsdtAddr, "XSDT");
        for (int off = 36; off < xsdt.length; off += 8) {
            long addr = u64(xsdt, off);
            byte[] header = memory.read(addr, 4);
            table(memory, addr, ascii(header, 0, 4));
        }
        byte[] fadt = tables.get("FACP");
        table(memory, u32(fadt, Fadt.DSDT), "DSDT");
        assertEquals(u32(fadt, Fadt.DSDT), u64(fadt, Fadt.X_DSDT), "FADT DSDT and X_DSDT agree");
        long facsAddr = u32(fadt, Fadt.FIRMWARE_CTRL);
        assertEquals(0, facsAddr % 64, "FACS 64-byte aligned");
        byte[] facs = memory.read(facsAddr, 64);
        assertEquals("FACS", ascii(facs, 0, 4));
        tables.put("FACS", facs);
        addresses.put("FACS", facsAddr);
    }

    private byte[] table(GuestMemory memory, long addr, String signature) {
        byte[] header = memory.read(addr, 36);
        assertEquals(signature, ascii(header, 0, 4), "signature at 0x" + Long.toHexString(addr));
        int length = (int) u32(header, 4);
        byte[] t = memory.read(addr, length);
        assertEquals(0, Bytes.sum(t, 0, length), signature + " checksum");
        tables.put(signature, t);
        addresses.put(signature, addr);
        return t;
    }

    static String ascii(byte[] b, int off, int len) {
        return new String(b, off, len, StandardCharsets.US_ASCII);
    }

    static int u8(byte[] b, int off) {
        return b[off] & 0xff;
    }

    static int u16(byte[] b, int off) {
        return u8(b, off) | u8(b, off + 1) << 8;
    }

    static long u32(byte[] b, int off) {
        return (u16(b, off) | (long) u16(b, off + 2) << 16);
    }

    static long u64(byte[] b, int off) {
        return u32(b, off) | u32(b, off + 4) << 32;
    }
}
