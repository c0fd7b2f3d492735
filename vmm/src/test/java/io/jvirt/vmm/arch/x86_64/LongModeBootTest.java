package io.jvirt.vmm.arch.x86_64;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvirt.sys.HostMemory;
import io.jvirt.vmm.memory.GuestMemory;
import io.jvirt.vmm.memory.GuestRam;
import org.junit.jupiter.api.Test;

class LongModeBootTest {

    @Test
    void descriptorsMatchTheCanonicalBootGdt() {
        // The values Linux's own boot code and other VMMs use for __BOOT_CS and __BOOT_DS
        // (arch/x86/boot/compressed/head_64.S gdt: 0x00af9a000000ffff code, 0x00cf92000000ffff
        // data; ours have the accessed bit set, as the CPU would after loading them).
        assertEquals(0x00af9b000000ffffL, Gdt.descriptor(Segment.code64(0x10)));
        assertEquals(0x00cf93000000ffffL, Gdt.descriptor(Segment.flatData(0x18)));
        assertEquals(0x00008b0000000067L, Gdt.descriptor(Segment.tss(0x20, 0, 0x67)));
    }

    @Test
    void pageTablesIdentityMapFourGibWithTwoMibPages() {
        try (HostMemory host = HostMemory.allocate(16 << 20)) {
            GuestMemory m = GuestRam.over(host, 16 << 20);
            X86BootState s = LongModeBoot.prepare(m, 0x100200, 0x7000);
            for (long va : new long[] {0, 0x100200, 0x7000, 0x3fffffffL, 0xfee00000L, 0xffffffffL}) {
                assertEquals(va, walk(m, s.cr3(), va), "translation of 0x" + Long.toHexString(va));
            }
            assertEquals(0x10, s.cs().selector());
            assertEquals(0x18, s.ds().selector());
            assertEquals(0x7000, s.rsi());
            assertEquals(0x100200, s.rip());
            assertEquals(Gdt.BASE, s.gdtBase());
            assertEquals(0x80000000L | 0x31 | 0x2, s.cr0());
            assertEquals(0x20, s.cr4());
            assertEquals(0x500, s.efer());
            assertEquals(0x2, s.rflags());
            assertEquals(0x00af9b000000ffffL, m.readLong(Gdt.BASE + 0x10));
        }
    }

    /** A software page walk (Intel SDM vol. 3A §4.5) honouring 2 MiB PDEs. */
    private static long walk(GuestMemory m, long cr3, long va) {
        long pml4e = m.readLong((cr3 & ~0xfffL) + ((va >>> 39) & 511) * 8);
        assertEquals(3, pml4e & 3, "PML4E present+writable");
        long pdpte = m.readLong((pml4e & 0xffffffffff000L) + ((va >>> 30) & 511) * 8);
        assertEquals(3, pdpte & 3, "PDPTE present+writable");
        long pde = m.readLong((pdpte & 0xffffffffff000L) + ((va >>> 21) & 511) * 8);
        assertEquals(0x83, pde & 0x83, "PDE present+writable+PS");
        return (pde & 0xfffffffe00000L) | (va & 0x1fffff);
    }
}
