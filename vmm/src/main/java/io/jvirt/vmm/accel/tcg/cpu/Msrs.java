package io.jvirt.vmm.accel.tcg.cpu;

import java.util.HashMap;
import java.util.Map;

/**
 * Model-specific registers (SDM vol. 4): EFER, SYSCALL MSRs, FS/GS bases, PAT, MTRRs and
 * MISC_ENABLE as storage, the TSC, kvmclock (Documentation/virt/kvm/x86/msr.rst), and the
 * APIC's MSRs forwarded to the {@link InterruptSource}. Unknown MSRs raise #GP(0).
 */
final class Msrs {
    /**
     * The guest TSC runs at 1 GHz: System.nanoTime() plus this CPU's offset (set by writing
     * IA32_TSC). The tcg platform's LAPIC (TSC-deadline timer) uses the same convention.
     */
    static final long TSC_HZ = 1_000_000_000L;
    /** Origin of kvmclock system time (guest boot, roughly). */
    static final long T0 = System.nanoTime();

    static final int TSC = 0x10, APIC_BASE = 0x1b, FEATURE_CONTROL = 0x3a, BIOS_SIGN_ID = 0x8b, MTRRCAP = 0xfe,
            SYSENTER_CS = 0x174, SYSENTER_ESP = 0x175, SYSENTER_EIP = 0x176, MCG_CAP = 0x179, MCG_STATUS = 0x17a,
            MISC_ENABLE = 0x1a0, PAT = 0x277, MTRR_DEF_TYPE = 0x2ff,
            EFER = 0xc0000080, STAR = 0xc0000081, LSTAR = 0xc0000082, CSTAR = 0xc0000083, SFMASK = 0xc0000084,
            FS_BASE = 0xc0000100, GS_BASE = 0xc0000101, KERNEL_GS_BASE = 0xc0000102, TSC_AUX = 0xc0000103,
            KVM_WALL_CLOCK = 0x11, KVM_SYSTEM_TIME = 0x12,
            KVM_WALL_CLOCK_NEW = 0x4b564d00, KVM_SYSTEM_TIME_NEW = 0x4b564d01;

    private final Cpu c;
    long star, lstar, cstar, sfmask, kernelGsBase, tscAux;
    long sysenterCs, sysenterEsp, sysenterEip;
    long pat = 0x0007040600070406L;
    long miscEnable = 1; // fast strings
    long tscOffset;
    long systemTime;
    private final Map<Integer, Long> mtrr = new HashMap<>();

    Msrs(Cpu c) {
        this.c = c;
    }

    static long tscNow() {
        return System.nanoTime(); // TSC_HZ = 1 GHz
    }

    long tsc() {
        return tscNow() + tscOffset;
    }

    private static boolean isMtrr(int msr) {
        return (msr >= 0x200 && msr <= 0x20f) || msr == 0x250 || msr == 0x258 || msr == 0x259
                || (msr >= 0x268 && msr <= 0x26f) || msr == MTRR_DEF_TYPE;
    }

    long read(int msr) {
        if (c.apic.ownsMsr(msr)) {
            return c.apic.readMsr(msr);
        }
        return switch (msr) {
            case TSC -> tsc();
            case FEATURE_CONTROL -> 1; // locked, VMX off
            case BIOS_SIGN_ID, MCG_CAP, MCG_STATUS, 0x17 -> 0;
            case MTRRCAP -> 0x508; // 8 variable ranges, fixed ranges, WC (SDM §11.11.1)
            case SYSENTER_CS -> sysenterCs;
            case SYSENTER_ESP -> sysenterEsp;
            case SYSENTER_EIP -> sysenterEip;
            case MISC_ENABLE -> miscEnable;
            case PAT -> pat;
            case EFER -> c.efer;
            case STAR -> star;
            case LSTAR -> lstar;
            case CSTAR -> cstar;
            case SFMASK -> sfmask;
            case FS_BASE -> c.sbase[Cpu.FS];
            case GS_BASE -> c.sbase[Cpu.GS];
            case KERNEL_GS_BASE -> kernelGsBase;
            case TSC_AUX -> tscAux;
            case KVM_SYSTEM_TIME, KVM_SYSTEM_TIME_NEW -> systemTime;
            case KVM_WALL_CLOCK, KVM_WALL_CLOCK_NEW -> 0;
            default -> {
                if (isMtrr(msr)) {
                    yield mtrr.getOrDefault(msr, 0L);
                }
                throw CpuFault.gp(0);
            }
        };
    }

    void write(int msr, long v) {
        if (c.apic.ownsMsr(msr)) {
            c.apic.writeMsr(msr, v);
            // The TLB keeps the APIC's page out of its RAM entries: only a page that moved (or an
            // APIC switched off or on) needs a flush, not the TSC deadline the guest writes at
            // every timer tick. A flush also drops every chain link (the TLB epoch changes).
            c.mmu.apicMoved();
            return;
        }
        switch (msr) {
            case TSC -> tscOffset = v - tscNow();
            case FEATURE_CONTROL, BIOS_SIGN_ID, MCG_STATUS -> {
            }
            case SYSENTER_CS -> sysenterCs = v & 0xffff;
            case SYSENTER_ESP -> sysenterEsp = v;
            case SYSENTER_EIP -> sysenterEip = v;
            case MISC_ENABLE -> miscEnable = v;
            case PAT -> pat = v;
            case EFER -> {
                long allowed = Cpu.EFER_SCE | Cpu.EFER_LME | Cpu.EFER_NXE;
                if ((v & ~(allowed | Cpu.EFER_LMA)) != 0) {
                    throw CpuFault.gp(0);
                }
                if ((c.cr0 & Cpu.CR0_PG) != 0 && ((v ^ c.efer) & Cpu.EFER_LME) != 0) {
                    throw CpuFault.gp(0);
                }
                c.efer = (v & allowed) | (c.efer & Cpu.EFER_LMA);
                c.mmu.flush();
            }
            case STAR -> star = v;
            case LSTAR -> lstar = canonical(v);
            case CSTAR -> cstar = canonical(v);
            case SFMASK -> sfmask = v & 0xffffffffL;
            case FS_BASE -> c.sbase[Cpu.FS] = canonical(v);
            case GS_BASE -> c.sbase[Cpu.GS] = canonical(v);
            case KERNEL_GS_BASE -> kernelGsBase = canonical(v);
            case TSC_AUX -> tscAux = v & 0xffffffffL;
            case KVM_SYSTEM_TIME, KVM_SYSTEM_TIME_NEW -> {
                systemTime = v;
                if ((v & 1) != 0) {
                    KvmClock.writeSystemTime(c, v & ~1L);
                }
            }
            case KVM_WALL_CLOCK, KVM_WALL_CLOCK_NEW -> KvmClock.writeWallClock(c, v);
            default -> {
                if (isMtrr(msr)) {
                    mtrr.put(msr, v);
                    return;
                }
                throw CpuFault.gp(0);
            }
        }
    }

    private static long canonical(long v) {
        if (((v << 16) >> 16) != v) {
            throw CpuFault.gp(0);
        }
        return v;
    }
}
