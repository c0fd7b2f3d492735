package io.jvirt.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The KVM handles on this machine's real /dev/kvm (skipped where it is absent or not permitted). */
class KvmTest {

    private Kvm kvm;

    @BeforeEach
    void openKvm() {
        assumeTrue(Files.exists(Kvm.DEVICE), "/dev/kvm not present on this machine");
        assumeTrue(Files.isReadable(Kvm.DEVICE) && Files.isWritable(Kvm.DEVICE), "/dev/kvm not accessible to this user");
        kvm = Kvm.open();
    }

    @AfterEach
    void closeKvm() {
        if (kvm != null) {
            kvm.close();
        }
    }

    @Test
    void systemIoctlsAnswer() {
        assertEquals(12, kvm.apiVersion());
        assertTrue(kvm.checkExtension(KvmCapability.USER_MEMORY) > 0);
        assertTrue(kvm.checkExtension(KvmCapability.MAX_VCPUS) >= kvm.checkExtension(KvmCapability.NR_VCPUS));
        assertTrue(kvm.vcpuMmapSize() >= 4096);
        List<CpuidEntry> cpuid = kvm.supportedCpuid();
        assertTrue(cpuid.stream().anyMatch(e -> e.function() == 0 && e.eax() >= 1), "leaf 0 with max leaf >= 1");
        assertTrue(cpuid.stream().anyMatch(e -> e.function() == 0x80000001), "extended leaf 0x80000001");
        int[] msrs = kvm.msrIndexList();
        assertTrue(List.of(java.util.Arrays.stream(msrs).boxed().toArray()).contains(0x10), "IA32_TSC is in " + msrs.length + " MSRs");
    }

    @Test
    void openingAMissingDeviceNamesErrno() {
        SysException e = assertThrows(SysException.class, () -> Kvm.open(Path.of("/dev/no-such-kvm")));
        assertEquals("ENOENT", e.errnoName());
        assertEquals(2, e.errno());
        assertEquals("open", e.call());
        assertEquals("/dev/no-such-kvm", e.subject());
        assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
    }

    /** A real-mode guest: OUT 'K' to port 0x10, IN from 0x11 and OUT it back to 0x12, then HLT. */
    @Test
    void realModeGuestDoesPortIoAndHalts() {
        byte[] code = {
            (byte) 0xb0, 'K',             // mov al, 'K'
            (byte) 0xe6, 0x10,            // out 0x10, al
            (byte) 0xe4, 0x11,            // in al, 0x11
            (byte) 0xe6, 0x12,            // out 0x12, al
            (byte) 0xf4,                  // hlt
        };
        try (HostMemory ram = HostMemory.allocate(1 << 20); VmFd vm = kvm.createVm()) {
            ram.write(0x1000, code, 0, code.length);
            vm.setTssAddress(0xfffbd000L);
            vm.setUserMemoryRegion(0, 0, ram.size(), ram.address(), false);
            try (VcpuFd vcpu = vm.createVcpu(0)) {
                KvmSregs s = vcpu.sregs();
                KvmSegment cs = s.cs();
                vcpu.setSregs(new KvmSregs(new KvmSegment(0, 0xffff, 0, cs.type(), true, 0, false, true, false, false, false, false),
                        s.ds(), s.es(), s.fs(), s.gs(), s.ss(), s.tr(), s.ldt(), s.gdt(), s.idt(),
                        s.cr0(), s.cr2(), s.cr3(), s.cr4(), s.cr8(), s.efer(), s.apicBase(), s.interruptBitmap()));
                vcpu.setRegs(KvmRegs.cleared().withRip(0x1000));

                KvmExit.Io out = assertInstanceOf(KvmExit.Io.class, vcpu.run());
                assertFalse(out.in());
                assertEquals(0x10, out.port());
                assertArrayEquals(new byte[] {'K'}, out.data());
                KvmExit.Io in = assertInstanceOf(KvmExit.Io.class, vcpu.run());
                assertTrue(in.in());
                assertEquals(0x11, in.port());
                vcpu.completeIn(new byte[] {'!'});
                KvmExit.Io echo = assertInstanceOf(KvmExit.Io.class, vcpu.run());
                assertEquals(0x12, echo.port());
                assertArrayEquals(new byte[] {'!'}, echo.data());
                assertInstanceOf(KvmExit.Hlt.class, vcpu.run());
                assertEquals(0x1009, vcpu.regs().rip());
            }
        }
    }

    /** A kick from another thread interrupts a guest spinning in a loop. */
    @Test
    void kickInterruptsARunningGuest() throws Exception {
        byte[] spin = {(byte) 0xeb, (byte) 0xfe}; // jmp $
        try (HostMemory ram = HostMemory.allocate(1 << 20); VmFd vm = kvm.createVm()) {
            ram.write(0x1000, spin, 0, spin.length);
            vm.setTssAddress(0xfffbd000L);
            vm.setUserMemoryRegion(0, 0, ram.size(), ram.address(), false);
            try (VcpuFd vcpu = vm.createVcpu(0)) {
                KvmSregs s = vcpu.sregs();
                vcpu.setSregs(new KvmSregs(new KvmSegment(0, 0xffff, 0, s.cs().type(), true, 0, false, true, false, false, false, false),
                        s.ds(), s.es(), s.fs(), s.gs(), s.ss(), s.tr(), s.ldt(), s.gdt(), s.idt(),
                        s.cr0(), s.cr2(), s.cr3(), s.cr4(), s.cr8(), s.efer(), s.apicBase(), s.interruptBitmap()));
                vcpu.setRegs(KvmRegs.cleared().withRip(0x1000));
                Thread kicker = Thread.ofPlatform().start(() -> {
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                    vcpu.kick();
                });
                assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
                        assertInstanceOf(KvmExit.Interrupted.class, vcpu.run()));
                kicker.join();
                // a kick before run() is not lost either
                vcpu.kick();
                assertInstanceOf(KvmExit.Interrupted.class, vcpu.run());
            }
        }
    }

    @Test
    void vcpuStateRoundTrips() {
        try (VmFd vm = kvm.createVm()) {
            vm.createIrqchip();
            try (VcpuFd vcpu = vm.createVcpu(0)) {
                vcpu.setCpuid(kvm.supportedCpuid());
                KvmRegs regs = KvmRegs.cleared().withRip(0x1234).withRsp(0x8000).withRsi(0x7000);
                vcpu.setRegs(regs);
                assertEquals(regs, vcpu.regs());
                KvmFpu fpu = KvmFpu.reset();
                vcpu.setFpu(fpu);
                assertEquals(KvmFpu.FCW_RESET, vcpu.fpu().fcw());
                // not asserted: mxcsr reads back 0 through KVM_GET_FPU on kvm_pvm (6.18), also from C
                vcpu.setMsrs(List.of(new MsrEntry(0x174, 0x10), new MsrEntry(0xc0000082, 0xffffffff81000000L)));
                assertEquals(List.of(new MsrEntry(0x174, 0x10), new MsrEntry(0xc0000082, 0xffffffff81000000L)),
                        vcpu.msrs(0x174, 0xc0000082));
                KvmSregs s = vcpu.sregs();
                vcpu.setSregs(s);
                assertEquals(s, vcpu.sregs());
                assertEquals(1024, vcpu.lapic().length);
                assertEquals(MpState.RUNNABLE, vcpu.mpState());
                vcpu.clearPendingEvents();
                assertTrue(vcpu.cpuid().size() > 10);
            }
        }
    }

    /** A guest OUT to a port with an ioeventfd signals the eventfd instead of exiting. */
    @Test
    void ioeventfdTakesTheWriteAndIrqLinesAccept() {
        byte[] code = {
            (byte) 0xb0, 0x01,            // mov al, 1
            (byte) 0xe6, 0x50,            // out 0x50, al   (ioeventfd: no exit)
            (byte) 0xe6, 0x51,            // out 0x51, al   (exit)
            (byte) 0xf4,                  // hlt
        };
        try (HostMemory ram = HostMemory.allocate(1 << 20); VmFd vm = kvm.createVm(); EventFd doorbell = EventFd.create(true)) {
            ram.write(0x1000, code, 0, code.length);
            vm.setTssAddress(0xfffbd000L);
            vm.setUserMemoryRegion(0, 0, ram.size(), ram.address(), false);
            vm.ioeventfd(doorbell, 0x50, 1, true);
            try (VcpuFd vcpu = vm.createVcpu(0)) {
                KvmSregs s = vcpu.sregs();
                vcpu.setSregs(new KvmSregs(new KvmSegment(0, 0xffff, 0, s.cs().type(), true, 0, false, true, false, false, false, false),
                        s.ds(), s.es(), s.fs(), s.gs(), s.ss(), s.tr(), s.ldt(), s.gdt(), s.idt(),
                        s.cr0(), s.cr2(), s.cr3(), s.cr4(), s.cr8(), s.efer(), s.apicBase(), s.interruptBitmap()));
                vcpu.setRegs(KvmRegs.cleared().withRip(0x1000));
                KvmExit.Io io = assertInstanceOf(KvmExit.Io.class, vcpu.run());
                assertEquals(0x51, io.port());
                assertEquals(1, doorbell.read());
            }
            vm.removeIoeventfd(doorbell, 0x50, 1, true);
        }
        try (VmFd vm = kvm.createVm(); EventFd irq = EventFd.create(true)) {
            vm.createIrqchip();
            vm.irqLine(4, true);
            vm.irqLine(4, false);
            vm.irqfd(irq, 5);
            irq.write(1);
            vm.removeIrqfd(irq, 5);
            assertEquals(KvmConstants.KVM_IRQCHIP_PIC_MASTER, VmFd.Irqchip.PIC_MASTER.ordinal());
            assertEquals(KvmConstants.KVM_IRQCHIP_PIC_SLAVE, VmFd.Irqchip.PIC_SLAVE.ordinal());
            assertEquals(KvmConstants.KVM_IRQCHIP_IOAPIC, VmFd.Irqchip.IOAPIC.ordinal());
            for (VmFd.Irqchip chip : VmFd.Irqchip.values()) {
                byte[] state = vm.irqchipState(chip);
                assertEquals(512, state.length);
                vm.setIrqchipState(chip, state);
                assertArrayEquals(state, vm.irqchipState(chip));
            }
            SysException noPit = assertThrows(SysException.class, vm::pitState);
            assertEquals("ENXIO", noPit.errnoName(), "no PIT created yet");
            vm.createPit2();
            vm.setPitState(vm.pitState());
            SysException e = assertThrows(SysException.class, () -> vm.createIrqchip());
            assertEquals("ioctl(KVM_CREATE_IRQCHIP)", e.call());
        }
    }
}
