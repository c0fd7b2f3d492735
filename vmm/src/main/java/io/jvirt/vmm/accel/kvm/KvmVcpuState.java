package io.jvirt.vmm.accel.kvm;

import io.jvirt.sys.KvmFpu;
import io.jvirt.sys.KvmRegs;
import io.jvirt.sys.KvmSregs;
import io.jvirt.sys.MsrEntry;
import io.jvirt.sys.VcpuFd;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

/**
 * A vCPU's power-on state: what KVM_CREATE_VCPU gives (reset registers, APIC base), plus the
 * boot MSRs and the LAPIC's LINT pins wired as on a PC. Captured once, restored on every reset.
 */
final class KvmVcpuState {

    private static final Logger LOG = System.getLogger(KvmVcpuState.class.getName());

    // MSR numbers: Intel SDM vol. 4, chapter 2
    static final int IA32_TSC = 0x10;
    static final int IA32_SYSENTER_CS = 0x174;
    static final int IA32_SYSENTER_ESP = 0x175;
    static final int IA32_SYSENTER_EIP = 0x176;
    static final int IA32_MISC_ENABLE = 0x1a0;
    static final int IA32_MTRR_DEF_TYPE = 0x2ff;
    static final int IA32_STAR = 0xc0000081;
    static final int IA32_LSTAR = 0xc0000082;
    static final int IA32_CSTAR = 0xc0000083;
    static final int IA32_FMASK = 0xc0000084;
    static final int IA32_KERNEL_GS_BASE = 0xc0000102;
    /** IA32_MISC_ENABLE[0]: fast-strings enable. */
    static final long MISC_ENABLE_FAST_STRINGS = 1;
    /** IA32_MTRR_DEF_TYPE: E (bit 11) = MTRRs enabled, type 6 = write-back for all memory. */
    static final long MTRR_DEF_WRITEBACK = (1L << 11) | 6;

    // Local APIC registers (Intel SDM vol. 3A §10.5.1, Table 10-1) and LVT delivery modes
    static final int APIC_LVT_LINT0 = 0x350;
    static final int APIC_LVT_LINT1 = 0x360;
    static final int APIC_DM_EXTINT = 0x7 << 8;
    static final int APIC_DM_NMI = 0x4 << 8;
    private static final int APIC_LVT_MODE_MASK = 0x7 << 8;
    private static final int APIC_LVT_MASKED = 1 << 16;

    static final List<MsrEntry> BOOT_MSRS = List.of(
            new MsrEntry(IA32_SYSENTER_CS, 0), new MsrEntry(IA32_SYSENTER_ESP, 0), new MsrEntry(IA32_SYSENTER_EIP, 0),
            new MsrEntry(IA32_STAR, 0), new MsrEntry(IA32_LSTAR, 0), new MsrEntry(IA32_CSTAR, 0),
            new MsrEntry(IA32_FMASK, 0), new MsrEntry(IA32_KERNEL_GS_BASE, 0), new MsrEntry(IA32_TSC, 0),
            new MsrEntry(IA32_MISC_ENABLE, MISC_ENABLE_FAST_STRINGS),
            new MsrEntry(IA32_MTRR_DEF_TYPE, MTRR_DEF_WRITEBACK));

    private final VcpuFd fd;
    private final int index;
    private KvmSregs sregs;
    private KvmRegs regs;
    private byte[] lapic;
    private List<MsrEntry> msrs;

    KvmVcpuState(VcpuFd fd, int index) {
        this.fd = fd;
        this.index = index;
    }

    /** Sets the boot MSRs (after CPUID) and LINT0/LINT1, then records the whole state. */
    void capture() {
        msrs = setMsrsSkippingRefused(fd, index, BOOT_MSRS);
        byte[] page = fd.lapic();
        // PC wiring, as a BIOS leaves it: LINT0 = ExtINT (the 8259's INTR), LINT1 = NMI
        setLvt(page, APIC_LVT_LINT0, APIC_DM_EXTINT);
        setLvt(page, APIC_LVT_LINT1, APIC_DM_NMI);
        fd.setLapic(page);
        lapic = fd.lapic();
        sregs = fd.sregs();
        regs = fd.regs();
    }

    void restore() {
        fd.clearPendingEvents();
        fd.setSregs(sregs);
        fd.setRegs(regs);
        fd.setFpu(KvmFpu.reset());
        fd.setMsrs(msrs);
        fd.setLapic(lapic);
    }

    private static void setLvt(byte[] page, int reg, int mode) {
        int v = readInt(page, reg);
        v = (v & ~(APIC_LVT_MODE_MASK | APIC_LVT_MASKED)) | mode;
        for (int b = 0; b < 4; b++) {
            page[reg + b] = (byte) (v >>> (8 * b));
        }
    }

    static int readInt(byte[] page, int reg) {
        return (page[reg] & 0xff) | (page[reg + 1] & 0xff) << 8 | (page[reg + 2] & 0xff) << 16 | (page[reg + 3] & 0xff) << 24;
    }

    /** KVM_SET_MSRS, leaving out (with a warning) any MSR this host's KVM refuses. */
    private static List<MsrEntry> setMsrsSkippingRefused(VcpuFd fd, int index, List<MsrEntry> wanted) {
        List<MsrEntry> left = new ArrayList<>(wanted);
        while (true) {
            try {
                fd.setMsrs(left);
                return List.copyOf(left);
            } catch (IllegalArgumentException refused) {
                int before = left.size();
                for (MsrEntry m : List.copyOf(left)) {
                    try {
                        fd.setMsrs(List.of(m));
                    } catch (IllegalArgumentException e) {
                        LOG.log(Level.WARNING, "vcpu {0}: KVM refuses MSR 0x{1}; booting without it",
                                index, Integer.toHexString(m.index()));
                        left.remove(m);
                    }
                }
                if (left.size() == before) {
                    throw refused;
                }
            }
        }
    }
}
