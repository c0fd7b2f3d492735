package io.jvirt.sys;

import java.util.List;

/**
 * One KVM virtual CPU (api.rst §4, "vcpu ioctls") with its mmap'd struct kvm_run.
 * {@link #run()} and the completions are called on the vCPU's own thread; {@link #kick()} from
 * any thread. The state getters/setters are for when the vCPU is not running.
 */
public interface VcpuFd extends AutoCloseable {

    /** The vCPU id (its initial APIC ID). */
    int id();

    /**
     * KVM_RUN until the next exit, decoded. A kick or signal yields {@link KvmExit.Interrupted};
     * any other failure of the ioctl throws {@link SysException}.
     */
    KvmExit run();

    /**
     * Makes a current or the next {@link #run()} return {@link KvmExit.Interrupted} promptly:
     * sets kvm_run.immediate_exit and signals the thread in run() (api.rst, "immediate_exit").
     */
    void kick();

    /** Supplies the bytes of the last IN exit (size*count bytes); they reach the guest on the next run. */
    void completeIn(byte[] data);

    /** Supplies the value of the last MMIO read exit (little-endian, its length). */
    void completeMmioRead(long value);

    KvmRegs regs();

    void setRegs(KvmRegs regs);

    KvmSregs sregs();

    void setSregs(KvmSregs sregs);

    KvmFpu fpu();

    void setFpu(KvmFpu fpu);

    /** KVM_GET_MSRS: the values of {@code indices}, in order; throws when KVM rejects one. */
    List<MsrEntry> msrs(int... indices);

    /** KVM_SET_MSRS; throws naming the first MSR KVM refused. */
    void setMsrs(List<MsrEntry> msrs);

    /** KVM_SET_CPUID2: the CPUID this vCPU reports (set before MSRs and before the first run). */
    void setCpuid(List<CpuidEntry> entries);

    /** KVM_GET_CPUID2. */
    List<CpuidEntry> cpuid();

    /** KVM_GET_LAPIC: the 1 KiB local APIC register page. */
    byte[] lapic();

    /** KVM_SET_LAPIC. */
    void setLapic(byte[] registers);

    /**
     * KVM_SET_VCPU_EVENTS with nothing injected or pending: no exception, external interrupt
     * or NMI queued, NMIs unmasked, no interrupt shadow. Part of a reset.
     */
    void clearPendingEvents();

    MpState mpState();

    void setMpState(MpState state);

    @Override
    void close();
}
