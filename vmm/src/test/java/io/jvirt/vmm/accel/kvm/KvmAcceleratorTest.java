package io.jvirt.vmm.accel.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvirt.vmm.accel.AccelVm;
import io.jvirt.vmm.accel.VcpuExit;
import io.jvirt.vmm.arch.x86_64.LongModeBoot;
import io.jvirt.vmm.arch.x86_64.Segment;
import io.jvirt.vmm.arch.x86_64.X86BootState;
import io.jvirt.vmm.memory.GuestMemory;
import io.jvirt.vmm.memory.GuestRam;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KvmAccelerator on this machine's real /dev/kvm with small guests assembled by binutils:
 * port I/O (both directions, REP string forms), MMIO, triple fault, kick, two vCPUs with
 * INIT/SIPI, and the in-kernel PIT/PIC delivering interrupts. Skipped without /dev/kvm.
 */
class KvmAcceleratorTest {

    private static final long RAM = 16L << 20;
    private static KvmAccelerator kvm;

    @TempDir
    Path dir;

    @BeforeAll
    static void openKvm() {
        assumeTrue(Files.exists(Path.of("/dev/kvm")), "/dev/kvm not present on this machine");
        assumeTrue(Files.isReadable(Path.of("/dev/kvm")) && Files.isWritable(Path.of("/dev/kvm")),
                "/dev/kvm not accessible to this user");
        kvm = KvmAccelerator.open();
    }

    /** Real mode, CS = DS = 0, at {@code ip}; IVT at 0 (limit 0x3ff). */
    static X86BootState realMode(long ip) {
        Segment code = new Segment(0, 0, 0xffff, 0xb, true, 0, true, false, false, false);
        Segment data = new Segment(0, 0, 0xffff, 0x3, true, 0, true, false, false, false);
        Segment tr = new Segment(0, 0, 0xffff, 0xb, false, 0, true, false, false, false);
        return new X86BootState(ip, 0x7000, 0, 0x2, 0x10, 0, 0, 0, 0, 0xffff, 0, 0x3ff,
                code, data, data, data, data, data, tr);
    }

    @Test
    void reportsItsLimits() {
        assertEquals("kvm", kvm.name());
        assertTrue(kvm.maxVcpus() >= 1 && kvm.maxVcpus() <= 255, "maxVcpus " + kvm.maxVcpus());
        GuestMemory memory = GuestRam.allocate(RAM);
        CapturingBus pio = new CapturingBus("pio", 0x10, 8, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> kvm.createVm(memory, pio.bus, pio.bus, kvm.maxVcpus() + 1));
        assertTrue(e.getMessage().contains("vCPUs requested"), e.getMessage());
        memory.backing().close();
    }

    @Test
    void longModeGuestDoesPortAndMmioIoThenTripleFaults() throws Exception {
        byte[] code = GuestAsm.assemble(dir, "long", 0x100000, """
                .code64
                    mov $'L', %al
                    out %al, $0x10
                    mov $0x12345678, %eax
                    out %eax, $0x14
                    in $0x11, %al
                    out %al, $0x12
                    mov $0xd0000000, %ebx
                    mov %eax, (%rbx)
                    mov (%rbx), %ecx
                    mov %ecx, %eax
                    out %eax, $0x14
                    mov $msg, %esi
                    mov $5, %ecx
                    mov $0x10, %dx
                    rep outsb
                    mov $buf, %edi
                    mov $3, %ecx
                    mov $0x11, %dx
                    rep insb
                    mov $buf, %esi
                    mov $3, %ecx
                    mov $0x12, %dx
                    rep outsb
                    ud2
                msg: .ascii "hello"
                buf: .byte 0, 0, 0
                """);
        GuestMemory memory = GuestRam.allocate(RAM);
        memory.write(0x100000, code);
        CapturingBus pio = new CapturingBus("pio", 0x10, 8, 0x5a);
        CapturingBus mmio = new CapturingBus("mmio", 0xd0000000L, 0x1000, 0xcafef00dL);
        try (AccelVm vm = kvm.createVm(memory, pio.bus, mmio.bus, 1)) {
            vm.reset(LongModeBoot.prepare(memory, 0x100000, 0x7000));
            VcpuExit exit = vm.vcpu(0).run();
            VcpuExit.TripleFault tf = assertInstanceOf(VcpuExit.TripleFault.class, exit);
            assertTrue(tf.detail().contains("rip"), tf.detail());
            assertEquals("Lhello", pio.bytesWrittenTo(0x10));
            assertEquals(List.of(0x12345678L, 0xcafef00dL), pio.valuesWrittenTo(0x14));
            assertEquals("ZZZZ", pio.bytesWrittenTo(0x12), "one IN echoed, then REP INSB's three bytes");
            assertEquals(List.of(new CapturingBus.Access(0xd0000000L, 4, 0x1234565aL, true),
                    new CapturingBus.Access(0xd0000000L, 4, 0xcafef00dL, false)), mmio.accesses);
        } finally {
            memory.backing().close();
        }
    }

    @Test
    void realModeGuestHaltsAndKickReturnsPromptly() throws Exception {
        byte[] code = GuestAsm.assemble(dir, "real", 0x1000, """
                .code16
                    mov $'R', %al
                    out %al, $0x10
                    mov $msg, %si
                    mov $3, %cx
                    mov $0x10, %dx
                    rep outsb
                    cli
                1:  hlt
                    jmp 1b
                msg: .ascii "abc"
                """);
        GuestMemory memory = GuestRam.allocate(RAM);
        memory.write(0x1000, code);
        CapturingBus pio = new CapturingBus("pio", 0x10, 8, 0);
        try (AccelVm vm = kvm.createVm(memory, pio.bus, IoBusStub.none(), 1)) {
            vm.reset(realMode(0x1000));
            CompletableFuture<VcpuExit> exit = runOnPlatformThread(vm, 0);
            waitFor(() -> pio.bytesWrittenTo(0x10).equals("Rabc"), "real-mode output, got '" + pio.bytesWrittenTo(0x10) + "'");
            Thread.sleep(100); // let it reach HLT, asleep in the kernel
            long t0 = System.nanoTime();
            vm.vcpu(0).kick();
            assertInstanceOf(VcpuExit.Kicked.class, exit.get(5, TimeUnit.SECONDS));
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(millis < 1000, "kick took " + millis + " ms");
            // a kick while not running is not lost: the next run returns at once
            vm.vcpu(0).kick();
            assertInstanceOf(VcpuExit.Kicked.class, runOnPlatformThread(vm, 0).get(5, TimeUnit.SECONDS));
        } finally {
            memory.backing().close();
        }
    }

    /** 32-bit protected mode without paging: flat 4 GiB segments, CR0.PE only. */
    @Test
    void protectedModeGuestRuns() throws Exception {
        byte[] code = GuestAsm.assemble(dir, "prot", 0x100000, """
                .code32
                    mov $'P', %al
                    out %al, $0x10
                    mov $0xd0000000, %ebx
                    mov (%ebx), %eax                # MMIO read through a flat data segment
                    out %eax, $0x14
                    ud2                             # IDT limit 0: triple fault
                """);
        GuestMemory memory = GuestRam.allocate(RAM);
        memory.write(0x100000, code);
        CapturingBus pio = new CapturingBus("pio", 0x10, 8, 0);
        CapturingBus mmio = new CapturingBus("mmio", 0xd0000000L, 0x1000, 0x12345678L);
        Segment cs = new Segment(0x08, 0, 0xffffffff, 0xb, true, 0, true, false, true, true);
        Segment ds = Segment.flatData(0x10);
        Segment tr = new Segment(0x18, 0, 0x67, 0xb, false, 0, true, false, false, false);
        X86BootState boot = new X86BootState(0x100000, 0x7000, 0, 0x2, 0x11, 0, 0, 0, 0, 0x1f, 0, 0,
                cs, ds, ds, ds, ds, ds, tr);
        try (AccelVm vm = kvm.createVm(memory, pio.bus, mmio.bus, 1)) {
            vm.reset(boot);
            assertInstanceOf(VcpuExit.TripleFault.class, vm.vcpu(0).run());
            assertEquals("P", pio.bytesWrittenTo(0x10));
            assertEquals(List.of(0x12345678L), pio.valuesWrittenTo(0x14));
        } finally {
            memory.backing().close();
        }
    }

    /** RAM past the 3 GiB hole continues at 4 GiB in a second memory slot; a guest reads it there. */
    @Test
    void highRamAbove4GiBIsMappedInItsOwnSlot() throws Exception {
        long size = GuestRam.MMIO_HOLE_START + (2L << 20);
        byte[] code = GuestAsm.assemble(dir, "high", 0x100000, """
                .code64
                    movabs $0x100000010, %rbx
                    mov (%rbx), %eax
                    out %eax, $0x14
                    movl $0x600d, 4(%rbx)
                    ud2
                """);
        GuestMemory memory = GuestRam.over(io.jvirt.sys.HostMemory.allocate(size), size);
        assertEquals(2, memory.regions().size());
        memory.write(0x100000, code);
        X86BootState boot = LongModeBoot.prepare(memory, 0x100000, 0x7000);
        // PDPT[4] -> a page directory at 0x30000 whose entry 0 is a 2 MiB page (P | RW | PS) at 4 GiB;
        // the boot tables cover only the low 4 GiB (this KVM offers no 1 GiB pages)
        long pdpt = memory.readLong(boot.cr3()) & ~0xfffL;
        memory.writeLong(pdpt + 4 * 8, 0x30000 | 0x3);
        memory.writeLong(0x30000, GuestRam.HIGH_RAM_START | 0x83);
        memory.writeInt(GuestRam.HIGH_RAM_START + 0x10, 0x4b564d21);
        CapturingBus pio = new CapturingBus("pio", 0x10, 8, 0);
        try (AccelVm vm = kvm.createVm(memory, pio.bus, IoBusStub.none(), 1)) {
            vm.reset(boot);
            assertInstanceOf(VcpuExit.TripleFault.class, vm.vcpu(0).run());
            assertEquals(List.of(0x4b564d21L), pio.valuesWrittenTo(0x14));
            assertEquals(0x600d, memory.readInt(GuestRam.HIGH_RAM_START + 0x14));
        } finally {
            memory.backing().close();
        }
    }

    @Test
    void openingSomethingThatIsNotKvmSaysSoInOneLine() {
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> KvmAccelerator.open(Path.of("/dev/no-such-kvm")));
        assertEquals("jvirt: /dev/no-such-kvm not found; load kvm_intel or kvm_amd, or use --accel tcg", missing.getMessage());
        IllegalStateException notKvm = assertThrows(IllegalStateException.class, () -> KvmAccelerator.open(Path.of("/dev/null")));
        assertTrue(notKvm.getMessage().startsWith("jvirt: cannot use /dev/null: "), notKvm.getMessage());
        assertTrue(notKvm.getMessage().endsWith("; use --accel tcg"), notKvm.getMessage());
        assertTrue(!notKvm.getMessage().contains("\n"));
    }

    static CompletableFuture<VcpuExit> runOnPlatformThread(AccelVm vm, int index) {
        CompletableFuture<VcpuExit> f = new CompletableFuture<>();
        Thread.ofPlatform().name("vcpu-" + index).daemon().start(() -> {
            try {
                f.complete(vm.vcpu(index).run());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }
}
