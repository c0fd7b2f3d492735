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
