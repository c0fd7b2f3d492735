package io.jvirt.vmm.accel.kvm;

import io.jvirt.sys.KvmRegs;
import io.jvirt.sys.KvmSegment;
import io.jvirt.sys.KvmSregs;
import io.jvirt.vmm.arch.x86_64.Segment;
import io.jvirt.vmm.arch.x86_64.X86BootState;

/** Translates the accelerator-neutral {@link X86BootState} into KVM's register structs. */
final class KvmBootRegisters {

    /** RFLAGS bit 1, reserved, always 1 (Intel SDM vol. 1 §3.4.3). */
    private static final long RFLAGS_RESERVED = 0x2;

    private KvmBootRegisters() {
    }

    static KvmSegment segment(Segment s) {
        return new KvmSegment(s.base(), s.limit(), s.selector(), s.type(), s.present(), s.dpl(), s.db(), s.s(),
                s.l(), s.g(), false, !s.present());
    }

    /**
     * The boot state's segments, tables and control registers over {@code now}, keeping what
     * the boot state does not say: the LDT (KVM's reset value), APIC base, CR8 = 0.
     */
    static KvmSregs sregs(X86BootState b, KvmSregs now) {
        return new KvmSregs(segment(b.cs()), segment(b.ds()), segment(b.es()), segment(b.fs()), segment(b.gs()),
                segment(b.ss()), segment(b.tr()), now.ldt(),
                new KvmSregs.Dtable(b.gdtBase(), b.gdtLimit()), new KvmSregs.Dtable(b.idtBase(), b.idtLimit()),
                b.cr0(), 0, b.cr3(), b.cr4(), 0, b.efer(), now.apicBase(), new long[4]);
    }

    static KvmRegs regs(X86BootState b) {
        return KvmRegs.cleared().withRip(b.rip()).withRsp(b.rsp()).withRsi(b.rsi())
                .withRflags(b.rflags() | RFLAGS_RESERVED);
    }
}
