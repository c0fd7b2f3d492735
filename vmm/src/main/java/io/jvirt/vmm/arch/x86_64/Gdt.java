package io.jvirt.vmm.arch.x86_64;

import io.jvirt.vmm.memory.GuestMemory;

/**
 * The boot GDT at 0x500 (LAYOUT.md): null, null, 0x10 = __BOOT_CS (64-bit code),
 * 0x18 = __BOOT_DS (flat data), as boot.rst's 64-bit protocol asks, plus a 16-byte TSS
 * descriptor at 0x20 so that TR holds a valid busy TSS (VMX entry requires one; Intel SDM vol.
 * 3C §26.3.1.2).
 */
public final class Gdt {

    public static final long BASE = 0x500;
    public static final int BOOT_CS = 0x10;
    public static final int BOOT_DS = 0x18;
    public static final int BOOT_TSS = 0x20;
    /** Limit of the table: 4 legacy entries plus one 16-byte system descriptor. */
    public static final int LIMIT = 6 * 8 - 1;
    /** A TSS of the minimum 64-bit size (0x68 bytes, SDM §7.7) at address 0; never used at CPL 0 without IST. */
    public static final long TSS_BASE = 0;
    public static final int TSS_LIMIT = 0x67;

    private Gdt() {
    }

    /** Writes the table and returns its base address. */
    public static long write(GuestMemory memory) {
        memory.writeLong(BASE, 0);
        memory.writeLong(BASE + 8, 0);
        memory.writeLong(BASE + BOOT_CS, descriptor(Segment.code64(BOOT_CS)));
        memory.writeLong(BASE + BOOT_DS, descriptor(Segment.flatData(BOOT_DS)));
        Segment tss = Segment.tss(BOOT_TSS, TSS_BASE, TSS_LIMIT);
        memory.writeLong(BASE + BOOT_TSS, descriptor(tss));
        memory.writeLong(BASE + BOOT_TSS + 8, tss.base() >>> 32); // upper half of a system descriptor
        return BASE;
    }

    /** Encodes a segment as an 8-byte descriptor (Intel SDM vol. 3A §3.4.5, Figure 3-8). */
    public static long descriptor(Segment s) {
        long limit = s.g() ? (Integer.toUnsignedLong(s.limit()) >>> 12) : Integer.toUnsignedLong(s.limit());
        long base = s.base();
        long d = limit & 0xffffL;
        d |= (base & 0xffffffL) << 16;
        d |= (long) (s.type() & 0xf) << 40;
        d |= (s.s() ? 1L : 0L) << 44;
        d |= (long) (s.dpl() & 3) << 45;
        d |= (s.present() ? 1L : 0L) << 47;
        d |= ((limit >>> 16) & 0xfL) << 48;
        d |= (s.l() ? 1L : 0L) << 53;
        d |= (s.db() ? 1L : 0L) << 54;
        d |= (s.g() ? 1L : 0L) << 55;
        d |= ((base >>> 24) & 0xffL) << 56;
        return d;
    }
}
