package io.jvirt.vmm.arch.x86_64.firmware;

/**
 * The common header of ACPI system description tables (ACPI 6.5 §5.2.6, Table 5.4), 36 bytes:
 * signature, length, revision, checksum, OEMID, OEM table ID, OEM revision, creator ID and
 * revision.
 */
final class Sdt {
    static final int HEADER_LENGTH = 36;
    static final int LENGTH_OFFSET = 4;
    static final int CHECKSUM_OFFSET = 9;
    /** OEMID, 6 bytes. */
    static final String OEM_ID = "JVIRT";
    /** OEM Table ID, 8 bytes. */
    static final String OEM_TABLE_ID = "JVIRTVM";
    static final int OEM_REVISION = 1;
    /** Creator ID: the vendor ID of the tool that made the table, 4 bytes. */
    static final String CREATOR_ID = "JVRT";
    static final int CREATOR_REVISION = 1;

    private Sdt() {
    }

    /** A buffer holding the header of table {@code signature}; length and checksum come in {@link #finish}. */
    static Bytes begin(String signature, int revision) {
        Bytes b = new Bytes();
        b.ascii(signature, 4, ' ').u32(0).u8(revision).u8(0)
                .ascii(OEM_ID, 6, ' ').ascii(OEM_TABLE_ID, 8, ' ').u32(OEM_REVISION)
                .ascii(CREATOR_ID, 4, ' ').u32(CREATOR_REVISION);
        return b;
    }

    /** Patches the length and checksum (the whole table sums to zero) and returns the table. */
    static byte[] finish(Bytes b) {
        b.putU32(LENGTH_OFFSET, b.size());
        byte[] t = b.toArray();
        t[CHECKSUM_OFFSET] = (byte) Bytes.checksum(t, 0, t.length);
        return t;
    }
}
