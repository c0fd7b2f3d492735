package io.jvirt.vmm.accel.tcg.cpu;

/**
 * The software CPU's view of its own local APIC (with the 8259 PIC behind LINT0 as ExtINT).
 * Implemented by the tcg platform (package {@code io.jvirt.vmm.accel.tcg}); the CPU core only
 * asks. Methods are called on the vCPU's thread except where noted.
 */
public interface InterruptSource {

    /** A maskable interrupt is pending and not blocked by the APIC's priority (RFLAGS.IF aside). */
    boolean hasInterrupt();

    /** The INTA cycle: returns the vector and marks it in service; -1 if nothing is pending any more. */
    int acknowledge();

    /** Takes a pending NMI, if any. */
    boolean takeNmi();

    /** Guest-physical base of this CPU's APIC MMIO page (IA32_APIC_BASE bits 12+), or -1 when disabled. */
    long mmioBase();

    /** Reads an APIC register at {@code offset} into the MMIO page. */
    long mmioRead(int offset, int size);

    void mmioWrite(int offset, int size, long value);

    /** True for the MSRs the APIC owns: IA32_APIC_BASE (0x1b), TSC_DEADLINE (0x6e0), x2APIC (0x800–0x8ff). */
    boolean ownsMsr(int msr);

    long readMsr(int msr);

    void writeMsr(int msr, long value);
}
