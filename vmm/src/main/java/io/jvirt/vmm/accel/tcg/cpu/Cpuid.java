package io.jvirt.vmm.accel.tcg.cpu;

import java.nio.charset.StandardCharsets;

/**
 * CPUID (Intel SDM vol. 2A, CPUID): advertises exactly what this CPU implements. Vendor
 * GenuineIntel, family 6 model 0x1c (an in-order Atom, so Linux applies no speculation
 * mitigations), no MMX/SSE3/AVX/XSAVE. The KVM leaves (Documentation/virt/kvm/x86/cpuid.rst)
 * offer kvmclock so the guest needs no timer calibration for the TSC.
 */
final class Cpuid {
    /** CR4 bits this CPU accepts: TSD, DE, PSE, PAE, MCE, PGE, PCE, OSFXSR, OSXMMEXCPT. */
    static final long CR4_SUPPORTED = 0x7fcL;

    // CPUID.1:EDX (SDM table 3-11)
    private static final int EDX1 = 1 /*FPU*/ | 1 << 3 /*PSE*/ | 1 << 4 /*TSC*/ | 1 << 5 /*MSR*/ | 1 << 6 /*PAE*/
            | 1 << 8 /*CX8*/ | 1 << 9 /*APIC*/ | 1 << 12 /*MTRR*/ | 1 << 13 /*PGE*/ | 1 << 15 /*CMOV*/
            | 1 << 16 /*PAT*/ | 1 << 17 /*PSE36*/ | 1 << 19 /*CLFSH*/ | 1 << 24 /*FXSR*/ | 1 << 25 /*SSE*/
            | 1 << 26 /*SSE2*/;
    // CPUID.1:ECX (SDM table 3-10): CX16, POPCNT, hypervisor; TSC-deadline when the APIC has it
    private static final int ECX1 = 1 << 13 | 1 << 23 | 1 << 31;
    private static final int ECX1_TSC_DEADLINE = 1 << 24;
    // CPUID.80000001: LAHF/SAHF in 64-bit mode; SYSCALL, NX, 1 GiB pages, RDTSCP, LM
    private static final int ECX_EXT = 1;
    private static final int EDX_EXT = 1 << 11 | 1 << 20 | 1 << 26 | 1 << 27 | 1 << 29;
    // KVM_CPUID_FEATURES: CLOCKSOURCE (0), NOP_IO_DELAY (1), CLOCKSOURCE2 (3), CLOCKSOURCE_STABLE_BIT (24)
    private static final int KVM_FEATURES = 1 | 1 << 1 | 1 << 3 | 1 << 24;
    private static final String BRAND = "jvirt TCG x86-64 CPU";

    private Cpuid() {
    }

    static void exec(Cpu c) {
        int leaf = (int) c.r[Cpu.RAX];
        int sub = (int) c.r[Cpu.RCX];
        int[] v = query(c, leaf, sub);
        c.r[Cpu.RAX] = v[0] & 0xffffffffL;
        c.r[Cpu.RBX] = v[1] & 0xffffffffL;
        c.r[Cpu.RCX] = v[2] & 0xffffffffL;
        c.r[Cpu.RDX] = v[3] & 0xffffffffL;
    }

    private static int str(String s, int off) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int k = off + i;
            v |= (k < b.length ? b[k] & 0xff : 0) << (8 * i);
        }
        return v;
    }

    static int[] query(Cpu c, int leaf, int sub) {
        return switch (leaf) {
            case 0 -> new int[]{0xb, str("Genu", 0), str("ntel", 0), str("ineI", 0)};
            case 1 -> {
                int ecx = ECX1 | (c.apic.ownsMsr(0x6e0) ? ECX1_TSC_DEADLINE : 0);
                int ebx = (c.apicId << 24) | (1 << 16) | (8 << 8); // APIC ID, CLFLUSH 64 bytes
                yield new int[]{0x000106ca, ebx, ecx, EDX1};
            }
            case 7 -> sub == 0 ? new int[]{0, 1 << 9 /*ERMS*/, 0, 0} : new int[4];
            case 0xb -> switch (sub) {
                case 0 -> new int[]{0, 1, 0x100, c.apicId}; // SMT level: one thread per core
                case 1 -> new int[]{8, 64, 0x201, c.apicId}; // core level: APIC ID bits 0-7
                default -> new int[]{0, 0, sub & 0xff, c.apicId};
            };
            case 0x40000000 -> new int[]{0x40000010, str("KVMK", 0), str("VMKV", 0), str("M\0\0\0", 0)};
            case 0x40000001 -> new int[]{KVM_FEATURES, 0, 0, 0};
            case 0x40000010 -> new int[]{(int) (Msrs.TSC_HZ / 1000), 0, 0, 0};
            case 0x80000000 -> new int[]{0x80000008, 0, 0, 0};
            case 0x80000001 -> new int[]{0, 0, ECX_EXT, EDX_EXT};
            case 0x80000002, 0x80000003, 0x80000004 -> {
                int base = (leaf - 0x80000002) * 16;
                yield new int[]{str(BRAND, base), str(BRAND, base + 4), str(BRAND, base + 8), str(BRAND, base + 12)};
            }
            case 0x80000007 -> new int[]{0, 0, 0, 1 << 8}; // invariant TSC
            case 0x80000008 -> new int[]{0x3028, 0, 0, 0}; // 40-bit physical, 48-bit linear
            default -> new int[4];
        };
    }
}
