package io.jvirt.sys;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** {@link VmFd} over a KVM VM file descriptor. */
final class VmFdImpl implements VmFd {

    private final Fd fd;
    private final int runSize;

    VmFdImpl(Fd fd, int runSize) {
        this.fd = fd;
        this.runSize = runSize;
    }

    @Override
    public int checkExtension(KvmCapability capability) {
        return Libc.ioctl(fd.get(), KvmConstants.KVM_CHECK_EXTENSION, capability.value(), "KVM_CHECK_EXTENSION", fd.name());
    }

    @Override
    public void setUserMemoryRegion(int slot, long guestAddress, long size, long hostAddress, boolean readOnly) {
        var l = KvmLayouts.KVM_USERSPACE_MEMORY_REGION;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment r = arena.allocate(l);
            r.set(JAVA_INT, KvmStructs.offset(l, "slot"), slot);
            r.set(JAVA_INT, KvmStructs.offset(l, "flags"), readOnly ? KvmConstants.KVM_MEM_READONLY : 0);
            r.set(JAVA_LONG, KvmStructs.offset(l, "guest_phys_addr"), guestAddress);
            r.set(JAVA_LONG, KvmStructs.offset(l, "memory_size"), size);
            r.set(JAVA_LONG, KvmStructs.offset(l, "userspace_addr"), hostAddress);
            Libc.ioctl(fd.get(), KvmConstants.KVM_SET_USER_MEMORY_REGION, r, "KVM_SET_USER_MEMORY_REGION",
                    String.format("memory slot %d (guest 0x%x+0x%x)", slot, guestAddress, size));
        }
    }

    @Override
    public void setTssAddress(long guestAddress) {
        Libc.ioctl(fd.get(), KvmConstants.KVM_SET_TSS_ADDR, guestAddress, "KVM_SET_TSS_ADDR",
                "TSS at 0x" + Long.toHexString(guestAddress));
    }

    @Override
    public void setIdentityMapAddress(long guestAddress) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocateFrom(JAVA_LONG, guestAddress);
            Libc.ioctl(fd.get(), KvmConstants.KVM_SET_IDENTITY_MAP_ADDR, a, "KVM_SET_IDENTITY_MAP_ADDR",
                    "identity map at 0x" + Long.toHexString(guestAddress));
        }
    }

    @Override
    public void createIrqchip() {
        Libc.ioctl(fd.get(), KvmConstants.KVM_CREATE_IRQCHIP, 0L, "KVM_CREATE_IRQCHIP", fd.name());
    }

    @Override
    public void createPit2() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = arena.allocate(KvmLayouts.KVM_PIT_CONFIG);
            c.set(JAVA_INT, KvmStructs.offset(KvmLayouts.KVM_PIT_CONFIG, "flags"), KvmConstants.KVM_PIT_SPEAKER_DUMMY);
            Libc.ioctl(fd.get(), KvmConstants.KVM_CREATE_PIT2, c, "KVM_CREATE_PIT2", fd.name());
        }
    }

    @Override
    public void irqLine(int gsi, boolean high) {
        var l = KvmLayouts.KVM_IRQ_LEVEL;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(l);
            s.set(JAVA_INT, 0, gsi); // union { __u32 irq; __s32 status; } at offset 0
            s.set(JAVA_INT, KvmStructs.offset(l, "level"), high ? 1 : 0);
            Libc.ioctl(fd.get(), KvmConstants.KVM_IRQ_LINE, s, "KVM_IRQ_LINE", "GSI " + gsi);
        }
    }

    @Override
    public void irqfd(EventFd eventFd, int gsi) {
        irqfd(eventFd, gsi, 0);
    }

    @Override
    public void irqfd(EventFd eventFd, int gsi, EventFd resample) {
        irqfd(eventFd, gsi, KvmConstants.KVM_IRQFD_FLAG_RESAMPLE, resample.fd());
    }

    @Override
    public void removeIrqfd(EventFd eventFd, int gsi) {
        irqfd(eventFd, gsi, KvmConstants.KVM_IRQFD_FLAG_DEASSIGN);
    }

    private void irqfd(EventFd eventFd, int gsi, int flags) {
        irqfd(eventFd, gsi, flags, 0);
    }

    private void irqfd(EventFd eventFd, int gsi, int flags, int resampleFd) {
        var l = KvmLayouts.KVM_IRQFD;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(l);
            s.set(JAVA_INT, KvmStructs.offset(l, "fd"), eventFd.fd());
            s.set(JAVA_INT, KvmStructs.offset(l, "gsi"), gsi);
            s.set(JAVA_INT, KvmStructs.offset(l, "flags"), flags);
            s.set(JAVA_INT, KvmStructs.offset(l, "resamplefd"), resampleFd);
            Libc.ioctl(fd.get(), KvmConstants.KVM_IRQFD, s, "KVM_IRQFD", "irqfd for GSI " + gsi);
        }
    }

    @Override
    public void ioeventfd(EventFd eventFd, long address, int length, boolean pio) {
        ioeventfd(eventFd, address, length, pio ? KvmConstants.KVM_IOEVENTFD_FLAG_PIO : 0);
    }

    @Override
    public void removeIoeventfd(EventFd eventFd, long address, int length, boolean pio) {
        ioeventfd(eventFd, address, length,
                (pio ? KvmConstants.KVM_IOEVENTFD_FLAG_PIO : 0) | KvmConstants.KVM_IOEVENTFD_FLAG_DEASSIGN);
    }

    private void ioeventfd(EventFd eventFd, long address, int length, int flags) {
        var l = KvmLayouts.KVM_IOEVENTFD;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(l);
            s.set(JAVA_LONG, KvmStructs.offset(l, "addr"), address);
            s.set(JAVA_INT, KvmStructs.offset(l, "len"), length);
            s.set(JAVA_INT, KvmStructs.offset(l, "fd"), eventFd.fd());
            s.set(JAVA_INT, KvmStructs.offset(l, "flags"), flags);
            Libc.ioctl(fd.get(), KvmConstants.KVM_IOEVENTFD, s, "KVM_IOEVENTFD",
                    String.format("ioeventfd at %s 0x%x", (flags & KvmConstants.KVM_IOEVENTFD_FLAG_PIO) != 0 ? "port" : "address", address));
        }
    }

    private static final long CHIP = KvmStructs.offset(KvmLayouts.KVM_IRQCHIP, "chip");
    private static final long CHIP_SIZE = KvmLayouts.KVM_IRQCHIP.byteSize() - CHIP;

    @Override
    public byte[] irqchipState(Irqchip chip) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(KvmLayouts.KVM_IRQCHIP);
            s.set(JAVA_INT, KvmStructs.offset(KvmLayouts.KVM_IRQCHIP, "chip_id"), chip.ordinal());
            Libc.ioctl(fd.get(), KvmConstants.KVM_GET_IRQCHIP, s, "KVM_GET_IRQCHIP", "irqchip " + chip);
            return s.asSlice(CHIP, CHIP_SIZE).toArray(JAVA_BYTE);
        }
    }

    @Override
    public void setIrqchipState(Irqchip chip, byte[] state) {
        if (state.length != CHIP_SIZE) {
            throw new IllegalArgumentException("irqchip " + chip + " state is " + CHIP_SIZE + " bytes, got " + state.length);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(KvmLayouts.KVM_IRQCHIP);
            s.set(JAVA_INT, KvmStructs.offset(KvmLayouts.KVM_IRQCHIP, "chip_id"), chip.ordinal());
            MemorySegment.copy(state, 0, s, JAVA_BYTE, CHIP, state.length);
            Libc.ioctl(fd.get(), KvmConstants.KVM_SET_IRQCHIP, s, "KVM_SET_IRQCHIP", "irqchip " + chip);
        }
    }

    @Override
    public byte[] pitState() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(KvmLayouts.KVM_PIT_STATE2);
            Libc.ioctl(fd.get(), KvmConstants.KVM_GET_PIT2, s, "KVM_GET_PIT2", fd.name());
            return s.toArray(JAVA_BYTE);
        }
    }

    @Override
    public void setPitState(byte[] state) {
        if (state.length != KvmLayouts.KVM_PIT_STATE2.byteSize()) {
            throw new IllegalArgumentException("kvm_pit_state2 is " + KvmLayouts.KVM_PIT_STATE2.byteSize() + " bytes, got "
                    + state.length);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(KvmLayouts.KVM_PIT_STATE2);
            MemorySegment.copy(state, 0, s, JAVA_BYTE, 0, state.length);
            Libc.ioctl(fd.get(), KvmConstants.KVM_SET_PIT2, s, "KVM_SET_PIT2", fd.name());
        }
    }

    @Override
    public VcpuFd createVcpu(int id) {
        int vcpu = Libc.ioctl(fd.get(), KvmConstants.KVM_CREATE_VCPU, id, "KVM_CREATE_VCPU", "vcpu " + id);
        return VcpuFdImpl.map(new Fd(vcpu, "vcpu " + id), id, runSize);
    }

    @Override
    public void close() {
        fd.close();
    }
}
