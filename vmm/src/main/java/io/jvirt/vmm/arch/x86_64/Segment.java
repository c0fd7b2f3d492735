package io.jvirt.vmm.arch.x86_64;

/**
 * A loaded x86 segment register, hidden part included (Intel SDM vol. 3A §3.4.5: base,
 * limit, type, S, DPL, P, L, D/B, G). {@code limit} is the byte limit after granularity
 * scaling, as in struct kvm_segment.
 */
public record Segment(int selector, long base, int limit, int type, boolean s, int dpl,
                      boolean present, boolean l, boolean db, boolean g) {

    /** 64-bit code segment, DPL 0: type 0xb (execute/read, accessed), L=1. */
    public static Segment code64(int selector) {
        return new Segment(selector, 0, 0xffffffff, 0xb, true, 0, true, true, false, true);
    }

    /** Flat read/write data segment, DPL 0: type 0x3 (read/write, accessed), D/B=1. */
    public static Segment flatData(int selector) {
        return new Segment(selector, 0, 0xffffffff, 0x3, true, 0, true, false, true, true);
    }

    /** A 64-bit busy TSS (type 0xb, S=0). */
    public static Segment tss(int selector, long base, int limit) {
        return new Segment(selector, base, limit, 0xb, false, 0, true, false, false, false);
    }
}
