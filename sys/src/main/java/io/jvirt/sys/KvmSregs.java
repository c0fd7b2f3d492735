package io.jvirt.sys;

import java.util.Arrays;

/**
 * The system registers of a vCPU (struct kvm_sregs, KVM_GET_SREGS/KVM_SET_SREGS): segments,
 * descriptor tables, control registers, EFER, APIC base and the pending-interrupt bitmap.
 */
public record KvmSregs(KvmSegment cs, KvmSegment ds, KvmSegment es, KvmSegment fs, KvmSegment gs,
                       KvmSegment ss, KvmSegment tr, KvmSegment ldt, Dtable gdt, Dtable idt,
                       long cr0, long cr2, long cr3, long cr4, long cr8, long efer, long apicBase,
                       long[] interruptBitmap) {

    /** A descriptor-table register (struct kvm_dtable): GDTR or IDTR. */
    public record Dtable(long base, int limit) {
    }

    public KvmSregs {
        if (interruptBitmap.length != 4) {
            throw new IllegalArgumentException("interrupt_bitmap has 4 words, got " + interruptBitmap.length);
        }
        interruptBitmap = interruptBitmap.clone();
    }

    @Override
    public long[] interruptBitmap() {
        return interruptBitmap.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KvmSregs r && Arrays.equals(interruptBitmap, r.interruptBitmap)
                && cs.equals(r.cs) && ds.equals(r.ds) && es.equals(r.es) && fs.equals(r.fs) && gs.equals(r.gs)
                && ss.equals(r.ss) && tr.equals(r.tr) && ldt.equals(r.ldt) && gdt.equals(r.gdt)
                && idt.equals(r.idt) && cr0 == r.cr0 && cr2 == r.cr2 && cr3 == r.cr3 && cr4 == r.cr4
                && cr8 == r.cr8 && efer == r.efer && apicBase == r.apicBase;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(interruptBitmap) * 31 + Long.hashCode(cr0 ^ cr3 ^ cr4 ^ efer) + cs.hashCode();
    }
}
