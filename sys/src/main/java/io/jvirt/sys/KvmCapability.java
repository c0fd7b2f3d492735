package io.jvirt.sys;

/** KVM_CHECK_EXTENSION capabilities jvirt asks about; values are KVM_CAP_* of <linux/kvm.h>. */
public enum KvmCapability {
    IRQCHIP(KvmConstants.KVM_CAP_IRQCHIP),
    HLT(KvmConstants.KVM_CAP_HLT),
    USER_MEMORY(KvmConstants.KVM_CAP_USER_MEMORY),
    SET_TSS_ADDR(KvmConstants.KVM_CAP_SET_TSS_ADDR),
    EXT_CPUID(KvmConstants.KVM_CAP_EXT_CPUID),
    /** Recommended maximum vCPUs (the host's CPU count). */
    NR_VCPUS(KvmConstants.KVM_CAP_NR_VCPUS),
    NR_MEMSLOTS(KvmConstants.KVM_CAP_NR_MEMSLOTS),
    MP_STATE(KvmConstants.KVM_CAP_MP_STATE),
    IRQ_ROUTING(KvmConstants.KVM_CAP_IRQ_ROUTING),
    IRQFD(KvmConstants.KVM_CAP_IRQFD),
    /** Level-triggered irqfds with a resample eventfd (KVM_IRQFD_FLAG_RESAMPLE). */
    IRQFD_RESAMPLE(KvmConstants.KVM_CAP_IRQFD_RESAMPLE),
    PIT2(KvmConstants.KVM_CAP_PIT2),
    IOEVENTFD(KvmConstants.KVM_CAP_IOEVENTFD),
    SET_IDENTITY_MAP_ADDR(KvmConstants.KVM_CAP_SET_IDENTITY_MAP_ADDR),
    /** Hard maximum vCPUs per VM. */
    MAX_VCPUS(KvmConstants.KVM_CAP_MAX_VCPUS),
    IMMEDIATE_EXIT(KvmConstants.KVM_CAP_IMMEDIATE_EXIT),
    X86_DISABLE_EXITS(KvmConstants.KVM_CAP_X86_DISABLE_EXITS);

    private final int value;

    KvmCapability(int value) {
        this.value = value;
    }

    /** The KVM_CAP_* number. */
    public int value() {
        return value;
    }
}
