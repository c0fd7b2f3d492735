package io.jvirt.sys;

/**
 * One KVM virtual machine (api.rst §4, "vm ioctls"): its memory slots, in-kernel interrupt
 * controllers, interrupt lines and vCPUs. Safe to use from several threads.
 */
public interface VmFd extends AutoCloseable {

    /** KVM_CHECK_EXTENSION on the VM (answers can differ from /dev/kvm's). */
    int checkExtension(KvmCapability capability);

    /**
     * KVM_SET_USER_MEMORY_REGION: maps {@code size} bytes of host memory at {@code hostAddress}
     * as guest-physical {@code guestAddress} in memory slot {@code slot}; size 0 deletes the slot.
     */
    void setUserMemoryRegion(int slot, long guestAddress, long size, long hostAddress, boolean readOnly);

    /** KVM_SET_TSS_ADDR: three pages of guest-physical space KVM needs on Intel (below 4 GiB, not RAM). */
    void setTssAddress(long guestAddress);

    /** KVM_SET_IDENTITY_MAP_ADDR: one page for the real-mode identity map on Intel. */
    void setIdentityMapAddress(long guestAddress);

    /** KVM_CREATE_IRQCHIP: in-kernel LAPICs, IOAPIC (24 pins) and 8259 PIC pair, default GSI routing. */
    void createIrqchip();

    /** KVM_CREATE_PIT2 with KVM_PIT_SPEAKER_DUMMY (port 0x61 handled in the kernel). */
    void createPit2();

    /** KVM_IRQ_LINE: drives GSI {@code gsi} (IOAPIC pin; 0–15 also the PIC's) high or low. */
    void irqLine(int gsi, boolean high);

    /** KVM_IRQFD: a write to {@code eventFd} injects an edge on GSI {@code gsi}. */
    void irqfd(EventFd eventFd, int gsi);

    /**
     * KVM_IRQFD with KVM_IRQFD_FLAG_RESAMPLE (api.rst): a write to {@code eventFd} asserts GSI
     * {@code gsi} and holds it until the guest EOIs the interrupt; KVM then de-asserts it and
     * signals {@code resample}, so the device can assert it again if it is still pending. This
     * is how a level-triggered line leaves through an irqfd. Remove with {@link #removeIrqfd}.
     */
    void irqfd(EventFd eventFd, int gsi, EventFd resample);

    /** KVM_IRQFD with KVM_IRQFD_FLAG_DEASSIGN. */
    void removeIrqfd(EventFd eventFd, int gsi);

    /**
     * KVM_IOEVENTFD: a guest write of {@code length} bytes (0 = any) to {@code address}
     * (a port when {@code pio}, else MMIO) signals {@code eventFd} instead of exiting.
     */
    void ioeventfd(EventFd eventFd, long address, int length, boolean pio);

    /** KVM_IOEVENTFD with KVM_IOEVENTFD_FLAG_DEASSIGN. */
    void removeIoeventfd(EventFd eventFd, long address, int length, boolean pio);

    /** The in-kernel interrupt controllers KVM_GET_IRQCHIP/KVM_SET_IRQCHIP address (kvm_irqchip.chip_id). */
    enum Irqchip {
        /** KVM_IRQCHIP_PIC_MASTER = 0. */
        PIC_MASTER,
        /** KVM_IRQCHIP_PIC_SLAVE = 1. */
        PIC_SLAVE,
        /** KVM_IRQCHIP_IOAPIC = 2. */
        IOAPIC
    }

    /** KVM_GET_IRQCHIP: the chip's state, opaque (512 bytes), for {@link #setIrqchipState}. */
    byte[] irqchipState(Irqchip chip);

    /** KVM_SET_IRQCHIP with a state from {@link #irqchipState}. */
    void setIrqchipState(Irqchip chip, byte[] state);

    /** KVM_GET_PIT2: the in-kernel PIT's state (struct kvm_pit_state2), opaque. */
    byte[] pitState();

    /** KVM_SET_PIT2 with a state from {@link #pitState}. */
    void setPitState(byte[] state);

    /** KVM_CREATE_VCPU with APIC ID {@code id}, and maps its kvm_run area. */
    VcpuFd createVcpu(int id);

    @Override
    void close();
}
