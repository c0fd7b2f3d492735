package io.jvirt.vmm.accel.kvm;

import io.jvirt.sys.CpuidEntry;
import io.jvirt.sys.EventFd;
import io.jvirt.sys.Kvm;
import io.jvirt.sys.MpState;
import io.jvirt.sys.VcpuFd;
import io.jvirt.sys.VmFd;
import io.jvirt.vmm.accel.Vcpu;
import io.jvirt.vmm.arch.x86_64.X86BootState;
import io.jvirt.vmm.devices.IoBus;
import io.jvirt.vmm.devices.IrqLine;
import io.jvirt.vmm.memory.GuestMemory;
import java.util.ArrayList;
import java.util.List;

/** {@link KvmAccelVm} over a KVM VM fd with the in-kernel irqchip and PIT. */
final class KvmVm implements KvmAccelVm {

    /**
     * Three pages for the Intel real-mode TSS and one for the identity-map page table, just below
     * the 256 KiB BIOS window at the top of 4 GiB, where neither RAM nor devices live
     * (LAYOUT.md's MMIO hole; api.rst KVM_SET_TSS_ADDR / KVM_SET_IDENTITY_MAP_ADDR).
     */
    static final long TSS_ADDRESS = 0xfffbd000L;
    static final long IDENTITY_MAP_ADDRESS = 0xfffbc000L;
    /** IOAPIC inputs of the in-kernel irqchip (KVM_IOAPIC_NUM_PINS). */
    static final int GSI_COUNT = 24;
    private static final long PAGE = 4096;

    private final VmFd vm;
    private final List<KvmVcpu> vcpus;
    private final IrqLine[] lines = new IrqLine[GSI_COUNT];
    /** Power-on state of the in-kernel 8259s, IOAPIC and PIT, restored on every reset. */
    private final byte[][] irqchips = new byte[VmFd.Irqchip.values().length][];
    private final byte[] pit;

    private KvmVm(VmFd vm, List<KvmVcpu> vcpus) {
        this.vm = vm;
        this.vcpus = vcpus;
        for (VmFd.Irqchip chip : VmFd.Irqchip.values()) {
            irqchips[chip.ordinal()] = vm.irqchipState(chip);
        }
        this.pit = vm.pitState();
        for (int gsi = 0; gsi < GSI_COUNT; gsi++) {
            int g = gsi;
            lines[gsi] = high -> vm.irqLine(g, high);
        }
    }

    static KvmVm create(Kvm kvm, GuestMemory memory, IoBus pio, IoBus mmio, int count) {
        VmFd vm = kvm.createVm();
        List<KvmVcpu> vcpus = new ArrayList<>(count);
        try {
            // Order from api.rst: identity map and TSS before vCPUs; irqchip before vCPUs so
            // each gets an in-kernel LAPIC.
            vm.setIdentityMapAddress(IDENTITY_MAP_ADDRESS);
            vm.setTssAddress(TSS_ADDRESS);
            vm.createIrqchip();
            vm.createPit2();
            mapMemory(vm, memory);
            List<CpuidEntry> supported = kvm.supportedCpuid();
            for (int i = 0; i < count; i++) {
                VcpuFd fd = vm.createVcpu(i);
                KvmVcpu v = new KvmVcpu(fd, i, pio, mmio);
                vcpus.add(v);
                fd.setCpuid(KvmCpuid.forVcpu(supported, i, count));
                v.initialize();
            }
            return new KvmVm(vm, List.copyOf(vcpus));
        } catch (RuntimeException e) {
            vcpus.forEach(KvmVcpu::close);
            vm.close();
            throw e;
        }
    }

    /** One memory slot per RAM region; host address = backing address + region's backing offset. */
    private static void mapMemory(VmFd vm, GuestMemory memory) {
        List<GuestMemory.Region> regions = memory.regions();
        long base = memory.backing().address();
        for (int slot = 0; slot < regions.size(); slot++) {
            GuestMemory.Region r = regions.get(slot);
            if ((r.guestAddress() | r.size() | r.backingOffset()) % PAGE != 0) {
                throw new IllegalArgumentException(String.format(
                        "kvm: RAM region 0x%x+0x%x (backing offset 0x%x) is not 4 KiB aligned; KVM maps whole pages",
                        r.guestAddress(), r.size(), r.backingOffset()));
            }
            if (r.backingOffset() + r.size() > memory.backing().size()) {
                throw new IllegalArgumentException(String.format(
                        "kvm: RAM region 0x%x+0x%x runs past its host block (0x%x bytes)",
                        r.guestAddress(), r.size(), memory.backing().size()));
            }
            vm.setUserMemoryRegion(slot, r.guestAddress(), r.size(), base + r.backingOffset(), false);
        }
    }

    @Override
    public IrqLine irqLine(int gsi) {
        if (gsi < 0 || gsi >= GSI_COUNT) {
            throw new IllegalArgumentException("kvm: GSI " + gsi + " does not exist; the in-kernel IOAPIC has GSIs 0-"
                    + (GSI_COUNT - 1));
        }
        return lines[gsi];
    }

    @Override
    public Vcpu vcpu(int index) {
        if (index < 0 || index >= vcpus.size()) {
            throw new IndexOutOfBoundsException("vcpu " + index + " of " + vcpus.size());
        }
        return vcpus.get(index);
    }

    @Override
    public int vcpuCount() {
        return vcpus.size();
    }

    /**
     * Resets the interrupt controllers and PIT to power-on, every vCPU to its power-on state,
     * then loads {@code boot} into vCPU 0. Call only while no vCPU is inside {@link Vcpu#run()}.
     */
    @Override
    public void reset(X86BootState boot) {
        // The PIT first: reloading it stops its timer and flushes its injection worker, so no
        // late tick lands in the 8259s after they are back at power-on.
        vm.setPitState(pit);
        for (VmFd.Irqchip chip : VmFd.Irqchip.values()) {
            vm.setIrqchipState(chip, irqchips[chip.ordinal()]);
        }
        for (KvmVcpu v : vcpus) {
            v.resetToPowerOn();
        }
        KvmVcpu bsp = vcpus.get(0);
        bsp.loadBootState(boot);
        bsp.fd().setMpState(MpState.RUNNABLE);
        for (int i = 1; i < vcpus.size(); i++) {
            // With the in-kernel irqchip an UNINITIALIZED vCPU sleeps in KVM_RUN until INIT/SIPI.
            vcpus.get(i).fd().setMpState(MpState.UNINITIALIZED);
        }
    }

    @Override
    public void irqfd(EventFd eventFd, int gsi) {
        irqLine(gsi);
        vm.irqfd(eventFd, gsi);
    }

    @Override
    public void irqfd(EventFd eventFd, int gsi, EventFd resample) {
        irqLine(gsi);
        vm.irqfd(eventFd, gsi, resample);
    }

    @Override
    public void removeIrqfd(EventFd eventFd, int gsi) {
        vm.removeIrqfd(eventFd, gsi);
    }

    @Override
    public void ioeventfd(EventFd eventFd, long address, int length, boolean pio) {
        vm.ioeventfd(eventFd, address, length, pio);
    }

    @Override
    public void removeIoeventfd(EventFd eventFd, long address, int length, boolean pio) {
        vm.removeIoeventfd(eventFd, address, length, pio);
    }

    @Override
    public void close() {
        vcpus.forEach(KvmVcpu::close);
        vm.close();
    }
}
