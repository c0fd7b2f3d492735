package io.jvirt.vmm.accel.kvm;

import io.jvirt.sys.CpuidEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-vCPU CPUID from KVM_GET_SUPPORTED_CPUID: the APIC ID and a topology of one socket with
 * {@code count} single-threaded cores, vCPU {@code index} being core {@code index} with APIC ID
 * {@code index}. Leaves and bits from the Intel SDM vol. 2A, CPUID, and AMD APM vol. 3 App. E.
 */
final class KvmCpuid {

    private static final int LEAF_FEATURES = 0x1;
    private static final int LEAF_CACHE = 0x4;
    private static final int LEAF_TOPOLOGY = 0xb;
    private static final int LEAF_TOPOLOGY_V2 = 0x1f;
    private static final int LEAF_AMD_FEATURES = 0x80000001;
    private static final int LEAF_AMD_SIZES = 0x80000008;
    private static final int LEAF_AMD_TOPOLOGY = 0x8000001e;

    /** CPUID.1:EDX[28] HTT: EBX[23:16] is valid (more than one logical processor per package). */
    private static final int EDX_HTT = 1 << 28;
    /** CPUID.80000001h:ECX[1] CmpLegacy: HTT means cores, not threads (AMD APM vol. 3 App. E.4.2). */
    private static final int ECX_CMP_LEGACY = 1 << 1;
    /** Leaf 0xb/0x1f level types (ECX[15:8]). */
    private static final int LEVEL_SMT = 1;
    private static final int LEVEL_CORE = 2;

    private KvmCpuid() {
    }

    static List<CpuidEntry> forVcpu(List<CpuidEntry> supported, int index, int count) {
        int coreBits = bitsFor(count);
        List<CpuidEntry> out = new ArrayList<>(supported.size() + 4);
        boolean topology = false;
        boolean topologyV2 = false;
        for (CpuidEntry e : supported) {
            switch (e.function()) {
                case LEAF_FEATURES -> {
                    // EBX[31:24] initial APIC ID, EBX[23:16] addressable logical processors per package
                    int ebx = (e.ebx() & 0x0000ffff) | (index << 24) | ((1 << coreBits) << 16);
                    int edx = count > 1 ? e.edx() | EDX_HTT : e.edx() & ~EDX_HTT;
                    out.add(e.withEbx(ebx).withEdx(edx));
                }
                case LEAF_CACHE -> {
                    // EAX[31:26] cores per package - 1; EAX[25:14] logical processors sharing the cache - 1
                    int type = e.eax() & 0x1f;
                    if (type == 0) {
                        out.add(e);
                    } else {
                        int level = (e.eax() >>> 5) & 0x7;
                        int sharing = level >= 3 ? (1 << coreBits) - 1 : 0;
                        int eax = (e.eax() & 0x3fff) | (sharing << 14) | (((1 << coreBits) - 1) << 26);
                        out.add(e.withEax(eax));
                    }
                }
                case LEAF_TOPOLOGY -> {
                    if (!topology) {
                        out.addAll(topologyLeaf(LEAF_TOPOLOGY, e.flags(), index, count, coreBits));
                        topology = true;
                    }
                }
                case LEAF_TOPOLOGY_V2 -> {
                    if (!topologyV2) {
                        out.addAll(topologyLeaf(LEAF_TOPOLOGY_V2, e.flags(), index, count, coreBits));
                        topologyV2 = true;
                    }
                }
                case LEAF_AMD_FEATURES -> out.add(count > 1 ? e.withEcx(e.ecx() | ECX_CMP_LEGACY) : e);
                case LEAF_AMD_SIZES ->
                    // ECX[15:12] ApicIdCoreIdSize, ECX[7:0] NC = cores - 1
                    out.add(e.withEcx((e.ecx() & ~0xf0ff) | (coreBits << 12) | (count - 1)));
                case LEAF_AMD_TOPOLOGY ->
                    // EAX extended APIC ID; EBX[15:8] threads per core - 1, EBX[7:0] core ID; ECX[7:0] node ID
                    out.add(new CpuidEntry(e.function(), e.index(), e.flags(), index, index & 0xff, 0, 0));
                default -> out.add(e);
            }
        }
        return out;
    }

    /** Leaf 0xb or 0x1f: sub-leaf 0 the SMT level, 1 the core level, 2 the invalid terminator. */
    private static List<CpuidEntry> topologyLeaf(int leaf, int flags, int index, int count, int coreBits) {
        int f = flags | CpuidEntry.FLAG_SIGNIFICANT_INDEX;
        return List.of(
                // EAX[4:0] shift to the next level's ID, EBX[15:0] logical processors at this level,
                // ECX[15:8] level type, ECX[7:0] sub-leaf, EDX the x2APIC ID
                new CpuidEntry(leaf, 0, f, 0, 1, (LEVEL_SMT << 8), index),
                new CpuidEntry(leaf, 1, f, coreBits, count, (LEVEL_CORE << 8) | 1, index),
                new CpuidEntry(leaf, 2, f, 0, 0, 2, index));
    }

    /** Bits needed to number {@code n} items: ceil(log2(n)), 0 for 1. */
    static int bitsFor(int n) {
        return n <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(n - 1);
    }
}
