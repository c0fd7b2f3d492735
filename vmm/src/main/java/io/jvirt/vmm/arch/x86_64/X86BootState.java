package io.jvirt.vmm.arch.x86_64;

/**
 * The register state the boot CPU starts in, as the boot protocol prepares it
 * (Documentation/arch/x86/boot.rst, "64-bit Boot Protocol": long mode, paging on, identity
 * map, a flat GDT with __BOOT_CS/__BOOT_DS, RSI = boot_params, interrupts off).
 * Both accelerators load exactly this; application processors start in reset state and wait
 * for INIT/SIPI.
 */
public record X86BootState(
        long rip, long rsp, long rsi, long rflags,
        long cr0, long cr3, long cr4, long efer,
        long gdtBase, int gdtLimit, long idtBase, int idtLimit,
        Segment cs, Segment ds, Segment es, Segment fs, Segment gs, Segment ss, Segment tr) {
}
