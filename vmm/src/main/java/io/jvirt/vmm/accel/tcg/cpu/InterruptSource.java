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

    /**
     * The task-priority register (APIC offset 0x80, bits 7:0). In IA-32e mode CR8 is its
     * upper nibble (Intel SDM vol. 3A §11.8.6.1; §10.8.6.1 in older editions): the CPU reads
     * CR8 as {@code taskPriority() >> 4}. Any thread.
     */
    int taskPriority();

    /**
     * Sets the task-priority register ({@code tpr} bits 7:0); a MOV to CR8 passes
     * {@code cr8 << 4}, so TPR[3:0] become 0. Interrupts at or below the new priority class
     * stop counting for {@link #hasInterrupt()}; lowering the priority lets them through.
     */
    void setTaskPriority(int tpr);

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
