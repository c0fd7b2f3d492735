package io.jvirt.vmm.arch.x86_64;

import io.jvirt.vmm.memory.GuestMemory;

/**
 * Identity page tables for the 64-bit boot protocol: the first 4 GiB mapped 1:1 with 2 MiB
 * pages (boot.rst, "64-bit Boot Protocol": the loaded kernel, zero page and command line must
 * be identity mapped). Layout per LAYOUT.md: PML4 at 0x9000, PDPT at 0xa000, four page
 * directories at 0xb000–0xefff.
 */
public final class PageTables {

    public static final long PML4 = 0x9000;
    public static final long PDPT = 0xa000;
    public static final long PD = 0xb000;
    /** Bytes used from {@link #PML4} on: PML4 + PDPT + 4 PDs. */
    public static final long SIZE = 6 * 4096;

    // Intel SDM vol. 3A §4.5, Tables 4-15..4-18: entry bits.
    static final long PRESENT = 1L;
    static final long WRITABLE = 1L << 1;
    static final long PAGE_SIZE = 1L << 7; // PS: this PDE maps a 2 MiB page

    private PageTables() {
    }

    /** Writes the tables and returns the CR3 value (the PML4 address). */
    public static long writeIdentity4G(GuestMemory memory) {
        byte[] zero = new byte[(int) SIZE];
        memory.write(PML4, zero);
        memory.writeLong(PML4, PDPT | PRESENT | WRITABLE);
        for (int i = 0; i < 4; i++) {
            long pd = PD + i * 4096L;
            memory.writeLong(PDPT + i * 8L, pd | PRESENT | WRITABLE);
            for (int j = 0; j < 512; j++) {
                long phys = ((long) i << 30) + ((long) j << 21);
                memory.writeLong(pd + j * 8L, phys | PRESENT | WRITABLE | PAGE_SIZE);
            }
        }
        return PML4;
    }
}
