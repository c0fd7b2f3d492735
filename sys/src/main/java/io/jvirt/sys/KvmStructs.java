package io.jvirt.sys;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/** Copies between the KVM struct mirrors of {@link KvmLayouts} and their Java records. */
final class KvmStructs {

    private KvmStructs() {
    }

    static long offset(MemoryLayout layout, String... path) {
        PathElement[] p = new PathElement[path.length];
        for (int i = 0; i < path.length; i++) {
            p[i] = PathElement.groupElement(path[i]);
        }
        return layout.byteOffset(p);
    }

    // ---- kvm_regs: 18 consecutive __u64 in declaration order

    static KvmRegs readRegs(MemorySegment s) {
        long[] r = s.asSlice(0, KvmLayouts.KVM_REGS.byteSize()).toArray(JAVA_LONG);
        return new KvmRegs(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11],
                r[12], r[13], r[14], r[15], r[16], r[17]);
    }

    static void writeRegs(MemorySegment s, KvmRegs g) {
        long[] r = {g.rax(), g.rbx(), g.rcx(), g.rdx(), g.rsi(), g.rdi(), g.rsp(), g.rbp(), g.r8(), g.r9(),
                g.r10(), g.r11(), g.r12(), g.r13(), g.r14(), g.r15(), g.rip(), g.rflags()};
        MemorySegment.copy(r, 0, s, JAVA_LONG, 0, r.length);
    }

    // ---- kvm_segment

    private static final long SEG_BASE = offset(KvmLayouts.KVM_SEGMENT, "base");
    private static final long SEG_LIMIT = offset(KvmLayouts.KVM_SEGMENT, "limit");
    private static final long SEG_SELECTOR = offset(KvmLayouts.KVM_SEGMENT, "selector");
    private static final long SEG_TYPE = offset(KvmLayouts.KVM_SEGMENT, "type");
    /** present, dpl, db, s, l, g, avl, unusable: consecutive __u8. */
    private static final long SEG_PRESENT = offset(KvmLayouts.KVM_SEGMENT, "present");

    static KvmSegment readSegment(MemorySegment s, long at) {
        byte[] f = s.asSlice(at + SEG_PRESENT, 8).toArray(JAVA_BYTE);
        return new KvmSegment(s.get(JAVA_LONG, at + SEG_BASE), s.get(JAVA_INT, at + SEG_LIMIT),
                Short.toUnsignedInt(s.get(JAVA_SHORT, at + SEG_SELECTOR)), Byte.toUnsignedInt(s.get(JAVA_BYTE, at + SEG_TYPE)),
                f[0] != 0, f[1], f[2] != 0, f[3] != 0, f[4] != 0, f[5] != 0, f[6] != 0, f[7] != 0);
    }

    static void writeSegment(MemorySegment s, long at, KvmSegment g) {
        s.set(JAVA_LONG, at + SEG_BASE, g.base());
        s.set(JAVA_INT, at + SEG_LIMIT, g.limit());
        s.set(JAVA_SHORT, at + SEG_SELECTOR, (short) g.selector());
        s.set(JAVA_BYTE, at + SEG_TYPE, (byte) g.type());
        byte[] f = {bit(g.present()), (byte) g.dpl(), bit(g.db()), bit(g.s()), bit(g.l()), bit(g.g()), bit(g.avl()),
                bit(g.unusable())};
        MemorySegment.copy(f, 0, s, JAVA_BYTE, at + SEG_PRESENT, f.length);
    }

    private static byte bit(boolean b) {
        return (byte) (b ? 1 : 0);
    }

    // ---- kvm_sregs

    private static final long DT_BASE = offset(KvmLayouts.KVM_DTABLE, "base");
    private static final long DT_LIMIT = offset(KvmLayouts.KVM_DTABLE, "limit");
    private static final long SREGS_GDT = offset(KvmLayouts.KVM_SREGS, "gdt");
    private static final long SREGS_IDT = offset(KvmLayouts.KVM_SREGS, "idt");
    /** cr0, cr2, cr3, cr4, cr8, efer, apic_base, interrupt_bitmap[4]: consecutive __u64. */
    private static final long SREGS_CR0 = offset(KvmLayouts.KVM_SREGS, "cr0");

    static KvmSregs readSregs(MemorySegment s) {
        KvmSegment[] seg = new KvmSegment[KvmLayouts.SREGS_SEGMENTS.length];
        for (int i = 0; i < seg.length; i++) {
            seg[i] = readSegment(s, offset(KvmLayouts.KVM_SREGS, KvmLayouts.SREGS_SEGMENTS[i]));
        }
        long[] w = s.asSlice(SREGS_CR0, 11 * 8).toArray(JAVA_LONG);
        return new KvmSregs(seg[0], seg[1], seg[2], seg[3], seg[4], seg[5], seg[6], seg[7],
                readDtable(s, SREGS_GDT), readDtable(s, SREGS_IDT),
                w[0], w[1], w[2], w[3], w[4], w[5], w[6], new long[] {w[7], w[8], w[9], w[10]});
    }

    static void writeSregs(MemorySegment s, KvmSregs g) {
        KvmSegment[] seg = {g.cs(), g.ds(), g.es(), g.fs(), g.gs(), g.ss(), g.tr(), g.ldt()};
        for (int i = 0; i < seg.length; i++) {
            writeSegment(s, offset(KvmLayouts.KVM_SREGS, KvmLayouts.SREGS_SEGMENTS[i]), seg[i]);
        }
        writeDtable(s, SREGS_GDT, g.gdt());
        writeDtable(s, SREGS_IDT, g.idt());
        long[] b = g.interruptBitmap();
        long[] w = {g.cr0(), g.cr2(), g.cr3(), g.cr4(), g.cr8(), g.efer(), g.apicBase(), b[0], b[1], b[2], b[3]};
        MemorySegment.copy(w, 0, s, JAVA_LONG, SREGS_CR0, w.length);
    }

    private static KvmSregs.Dtable readDtable(MemorySegment s, long at) {
        return new KvmSregs.Dtable(s.get(JAVA_LONG, at + DT_BASE), Short.toUnsignedInt(s.get(JAVA_SHORT, at + DT_LIMIT)));
    }

    private static void writeDtable(MemorySegment s, long at, KvmSregs.Dtable d) {
        s.set(JAVA_LONG, at + DT_BASE, d.base());
        s.set(JAVA_SHORT, at + DT_LIMIT, (short) d.limit());
    }

    // ---- kvm_fpu

    private static final long FPU_FPR = offset(KvmLayouts.KVM_FPU, "fpr");
    private static final long FPU_FCW = offset(KvmLayouts.KVM_FPU, "fcw");
    private static final long FPU_FSW = offset(KvmLayouts.KVM_FPU, "fsw");
    private static final long FPU_FTWX = offset(KvmLayouts.KVM_FPU, "ftwx");
    private static final long FPU_LAST_OPCODE = offset(KvmLayouts.KVM_FPU, "last_opcode");
    private static final long FPU_LAST_IP = offset(KvmLayouts.KVM_FPU, "last_ip");
    private static final long FPU_LAST_DP = offset(KvmLayouts.KVM_FPU, "last_dp");
    private static final long FPU_XMM = offset(KvmLayouts.KVM_FPU, "xmm");
    private static final long FPU_MXCSR = offset(KvmLayouts.KVM_FPU, "mxcsr");

    static KvmFpu readFpu(MemorySegment s) {
        return new KvmFpu(s.asSlice(FPU_FPR, 128).toArray(JAVA_BYTE), Short.toUnsignedInt(s.get(JAVA_SHORT, FPU_FCW)),
                Short.toUnsignedInt(s.get(JAVA_SHORT, FPU_FSW)), Byte.toUnsignedInt(s.get(JAVA_BYTE, FPU_FTWX)),
                Short.toUnsignedInt(s.get(JAVA_SHORT, FPU_LAST_OPCODE)), s.get(JAVA_LONG, FPU_LAST_IP),
                s.get(JAVA_LONG, FPU_LAST_DP), s.asSlice(FPU_XMM, 256).toArray(JAVA_BYTE), s.get(JAVA_INT, FPU_MXCSR));
    }

    static void writeFpu(MemorySegment s, KvmFpu f) {
        MemorySegment.copy(f.fpr(), 0, s, JAVA_BYTE, FPU_FPR, 128);
        s.set(JAVA_SHORT, FPU_FCW, (short) f.fcw());
        s.set(JAVA_SHORT, FPU_FSW, (short) f.fsw());
        s.set(JAVA_BYTE, FPU_FTWX, (byte) f.ftwx());
        s.set(JAVA_SHORT, FPU_LAST_OPCODE, (short) f.lastOpcode());
        s.set(JAVA_LONG, FPU_LAST_IP, f.lastIp());
        s.set(JAVA_LONG, FPU_LAST_DP, f.lastDp());
        MemorySegment.copy(f.xmm(), 0, s, JAVA_BYTE, FPU_XMM, 256);
        s.set(JAVA_INT, FPU_MXCSR, f.mxcsr());
    }

    // ---- kvm_cpuid2 + kvm_cpuid_entry2[]: function, index, flags, eax, ebx, ecx, edx, padding[3]

    private static final long ENTRY = KvmLayouts.KVM_CPUID_ENTRY2.byteSize();
    private static final long CPUID_HEADER = KvmLayouts.KVM_CPUID2.byteSize();

    static MemorySegment allocateCpuid(Arena arena, int entries) {
        MemorySegment s = arena.allocate(CPUID_HEADER + ENTRY * entries, 8);
        s.set(JAVA_INT, offset(KvmLayouts.KVM_CPUID2, "nent"), entries);
        return s;
    }

    static List<CpuidEntry> readCpuid(MemorySegment s) {
        int n = s.get(JAVA_INT, offset(KvmLayouts.KVM_CPUID2, "nent"));
        List<CpuidEntry> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int[] e = s.asSlice(CPUID_HEADER + ENTRY * i, 7 * 4).toArray(JAVA_INT);
            out.add(new CpuidEntry(e[0], e[1], e[2], e[3], e[4], e[5], e[6]));
        }
        return out;
    }

    static MemorySegment writeCpuid(Arena arena, List<CpuidEntry> entries) {
        MemorySegment s = allocateCpuid(arena, entries.size());
        for (int i = 0; i < entries.size(); i++) {
            CpuidEntry c = entries.get(i);
            int[] e = {c.function(), c.index(), c.flags(), c.eax(), c.ebx(), c.ecx(), c.edx()};
            MemorySegment.copy(e, 0, s, JAVA_INT, CPUID_HEADER + ENTRY * i, e.length);
        }
        return s;
    }

    // ---- kvm_msrs + kvm_msr_entry[]

    private static final long MSRS_HEADER = KvmLayouts.KVM_MSRS.byteSize();
    private static final long MSR_ENTRY = KvmLayouts.KVM_MSR_ENTRY.byteSize();
    private static final long MSR_INDEX = offset(KvmLayouts.KVM_MSR_ENTRY, "index");
    private static final long MSR_DATA = offset(KvmLayouts.KVM_MSR_ENTRY, "data");

    static MemorySegment writeMsrs(Arena arena, List<MsrEntry> msrs) {
        MemorySegment s = arena.allocate(MSRS_HEADER + MSR_ENTRY * msrs.size(), 8);
        s.set(JAVA_INT, offset(KvmLayouts.KVM_MSRS, "nmsrs"), msrs.size());
        for (int i = 0; i < msrs.size(); i++) {
            s.set(JAVA_INT, MSRS_HEADER + MSR_ENTRY * i + MSR_INDEX, msrs.get(i).index());
            s.set(JAVA_LONG, MSRS_HEADER + MSR_ENTRY * i + MSR_DATA, msrs.get(i).value());
        }
        return s;
    }

    static List<MsrEntry> readMsrs(MemorySegment s, int count) {
        List<MsrEntry> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(new MsrEntry(s.get(JAVA_INT, MSRS_HEADER + MSR_ENTRY * i + MSR_INDEX),
                    s.get(JAVA_LONG, MSRS_HEADER + MSR_ENTRY * i + MSR_DATA)));
        }
        return out;
    }
}
