package io.jvirt.vmm.arch.x86_64;

import io.jvirt.vmm.memory.GuestMemory;

/**
 * Builds the boot CPU state of boot.rst's "64-bit Boot Protocol": long mode with paging on
 * (identity map of 4 GiB, {@link PageTables}), the {@link Gdt}, CS = __BOOT_CS, data
 * segments = __BOOT_DS, interrupts off, RSI = the boot_params address.
 */
public final class LongModeBoot {

    // Intel SDM vol. 3A §2.5 (CR0, CR4) and §2.2.1 (IA32_EFER).
    public static final long CR0_PE = 1L;
    public static final long CR0_MP = 1L << 1;
    public static final long CR0_ET = 1L << 4;
    public static final long CR0_NE = 1L << 5;
    public static final long CR0_PG = 1L << 31;
    public static final long CR4_PAE = 1L << 5;
    public static final long EFER_LME = 1L << 8;
    public static final long EFER_LMA = 1L << 10;
    /** RFLAGS bit 1 is reserved and always 1; IF=0 (boot.rst: interrupts disabled). */
    public static final long RFLAGS_RESERVED = 0x2;
    /** Initial stack top: grows down below the zero page at 0x7000 (LAYOUT.md), above the GDT. */
    public static final long BOOT_STACK = 0x7000;

    private LongModeBoot() {
    }

    /**
     * Writes the GDT and page tables into {@code memory} and returns the state entering
     * {@code entry} with RSI = {@code bootParams}.
     */
    public static X86BootState prepare(GuestMemory memory, long entry, long bootParams) {
        long gdt = Gdt.write(memory);
        long cr3 = PageTables.writeIdentity4G(memory);
        return state(entry, bootParams, gdt, cr3);
    }

    /** The register state alone, for tables already in place. */
    public static X86BootState state(long entry, long bootParams, long gdt, long cr3) {
        Segment cs = Segment.code64(Gdt.BOOT_CS);
        Segment ds = Segment.flatData(Gdt.BOOT_DS);
        Segment tr = Segment.tss(Gdt.BOOT_TSS, Gdt.TSS_BASE, Gdt.TSS_LIMIT);
        return new X86BootState(entry, BOOT_STACK, bootParams, RFLAGS_RESERVED,
                CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_PG, cr3, CR4_PAE, EFER_LME | EFER_LMA,
                gdt, Gdt.LIMIT, 0, 0,
                cs, ds, ds, ds, ds, ds, tr);
    }
}
