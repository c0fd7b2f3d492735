package io.jvirt.vmm.accel.kvm;

import static io.jvirt.vmm.accel.kvm.KvmAcceleratorTest.realMode;
import static io.jvirt.vmm.accel.kvm.KvmAcceleratorTest.runOnPlatformThread;
import static io.jvirt.vmm.accel.kvm.KvmAcceleratorTest.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvirt.vmm.accel.AccelVm;
import io.jvirt.vmm.accel.VcpuExit;
import io.jvirt.vmm.arch.x86_64.LongModeBoot;
import io.jvirt.vmm.memory.GuestMemory;
import io.jvirt.vmm.memory.GuestRam;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-kernel irqchip under KvmAccelerator: two vCPUs (the BSP starts the AP with INIT/SIPI
 * through its LAPIC; each reports its CPUID APIC ID), and the in-kernel 8254 PIT and 8259 PIC
 * delivering timer interrupts and an {@code irqLine} pulse to a real-mode guest.
 */
class KvmSmpAndInterruptsTest {

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

    @Test
    void bootProcessorStartsTheApWithInitSipi() throws Exception {
        assumeTrue(kvm.maxVcpus() >= 2, "this KVM allows one vCPU");
        byte[] bsp = GuestAsm.assemble(dir, "bsp", 0x100000, """
                .code64
                    mov $1, %eax
                    cpuid
                    shr $24, %ebx
                    mov %bl, %al
                    out %al, $0x13                  # CPUID.1:EBX[31:24], the initial APIC ID
                    mov $0xfee00000, %ebx           # LAPIC (Intel SDM vol. 3A §10.4.1)
                    movl $0x1ff, 0xf0(%rbx)         # SVR: software-enable, spurious vector 0xff
                    movl $0x01000000, 0x310(%rbx)   # ICR high: destination APIC ID 1
                    movl $0x00004500, 0x300(%rbx)   # ICR low: INIT, level assert
                    movl $0x00004608, 0x300(%rbx)   # ICR low: start-up, vector 0x08 -> 0x8000
                    mov $'B', %al
                    out %al, $0x10
                    cli
                1:  hlt
                    jmp 1b
                """);
        byte[] ap = GuestAsm.assemble(dir, "ap", 0x8000, """
                .code16
                    mov $1, %eax
                    cpuid
                    shr $24, %ebx
                    mov %bl, %al
                    out %al, $0x13
                    mov $'A', %al
                    out %al, $0x10
                    cli
                1:  hlt
                    jmp 1b
                """);
        GuestMemory memory = GuestRam.allocate(RAM);
        memory.write(0x100000, bsp);
        memory.write(0x8000, ap);
        CapturingBus pio = new CapturingBus("pio", 0x10, 8, 0);
        try (AccelVm vm = kvm.createVm(memory, pio.bus, IoBusStub.none(), 2)) {
            assertEquals(2, vm.vcpuCount());
            var boot = LongModeBoot.prepare(memory, 0x100000, 0x7000);
            for (int round = 1; round <= 2; round++) { // the second round after a reset: the AP waits for SIPI again
                pio.accesses.clear();
                vm.reset(boot);
                CompletableFuture<VcpuExit> exit0 = runOnPlatformThread(vm, 0);
                CompletableFuture<VcpuExit> exit1 = runOnPlatformThread(vm, 1);
                waitFor(() -> pio.bytesWrittenTo(0x10).chars().distinct().count() == 2,
                        "'A' from the AP and 'B' from the BSP, got '" + pio.bytesWrittenTo(0x10) + "'");
                assertEquals(Set.of(0L, 1L), Set.copyOf(pio.valuesWrittenTo(0x13)), "APIC IDs from CPUID");
                assertEquals(Set.of('A', 'B'), pio.bytesWrittenTo(0x10).chars().mapToObj(c -> (char) c).collect(Collectors.toSet()));
                vm.vcpu(0).kick();
                vm.vcpu(1).kick();
                assertInstanceOf(VcpuExit.Kicked.class, exit0.get(5, TimeUnit.SECONDS));
                assertInstanceOf(VcpuExit.Kicked.class, exit1.get(5, TimeUnit.SECONDS));
            }
        } finally {
            memory.backing().close();
        }
    }

    @Test
    void apWaitsForSipiAndAKickStillReachesIt() throws Exception {
        assumeTrue(kvm.maxVcpus() >= 2, "this KVM allows one vCPU");
        GuestMemory memory = GuestRam.allocate(RAM);
        byte[] bsp = GuestAsm.assemble(dir, "idle", 0x1000, """
                .code16
                    cli
                1:  hlt
                    jmp 1b
                """);
        memory.write(0x1000, bsp);
        CapturingBus pio = new CapturingBus("pio", 0x10, 8, 0);
        try (AccelVm vm = kvm.createVm(memory, pio.bus, IoBusStub.none(), 2)) {
            vm.reset(realMode(0x1000));
            CompletableFuture<VcpuExit> ap = runOnPlatformThread(vm, 1);
            Thread.sleep(200);
            assertEquals(false, ap.isDone(), "the AP sleeps in KVM_RUN until INIT/SIPI");
            vm.vcpu(1).kick();
            assertInstanceOf(VcpuExit.Kicked.class, ap.get(5, TimeUnit.SECONDS));
            assertEquals("", pio.bytesWrittenTo(0x10));
        } finally {
            memory.backing().close();
        }
    }

    @Test
    void inKernelPitAndPicDeliverTimerTicksAndIrqLinePulses() throws Exception {
        byte[] code = GuestAsm.assemble(dir, "pit", 0x1000, """
                .code16
                    cli
                    in $0x21, %al                   # the master 8259's IMR at power-on
                    out %al, $0x15
                    movw $tick, 0x20                # IVT[8] = IRQ0 after the ICW2 below
                    movw $0, 0x22
                    movw $line, 0x2c                # IVT[0xb] = IRQ3
                    movw $0, 0x2e
                    mov $0x11, %al                  # 8259 ICW1: edge, cascade, ICW4 follows
                    out %al, $0x20
                    mov $0x08, %al                  # ICW2: vectors 0x08-0x0f
                    out %al, $0x21
                    mov $0x04, %al                  # ICW3: slave on IRQ2
                    out %al, $0x21
                    mov $0x01, %al                  # ICW4: 8086 mode
                    out %al, $0x21
                    mov $0xf6, %al                  # OCW1: unmask IRQ0 and IRQ3
                    out %al, $0x21
                    mov $0x34, %al                  # 8254: channel 0, lobyte/hibyte, mode 2
                    out %al, $0x43
                    mov $0x9c, %al                  # divisor 0x2e9c = 11932: 100 Hz
                    out %al, $0x40
                    mov $0x2e, %al
                    out %al, $0x40
                    sti
                1:  hlt
                    jmp 1b
                tick:
                    push %ax
                    mov $'T', %al
                    out %al, $0x10
                    mov $0x20, %al                  # non-specific EOI
                    out %al, $0x20
                    pop %ax
                    iret
                line:
                    push %ax
                    mov $'I', %al
                    out %al, $0x10
                    mov $0x20, %al
                    out %al, $0x20
                    pop %ax
                    iret
                """);
        long quiet = 0x2000;
        byte[] quietCode = GuestAsm.assemble(dir, "quiet", quiet, """
                .code16
                    in $0x21, %al                   # IMR again: power-on, not the 0xf6 set before
                    out %al, $0x15
                    mov $'Q', %al
                    out %al, $0x10
                    cli                             # an unprogrammed 8259 (vector base 0) must not interrupt us
                1:  hlt
                    jmp 1b
                """);
        GuestMemory memory = GuestRam.allocate(RAM);
        memory.write(0x1000, code);
        memory.write(quiet, quietCode);
        CapturingBus pio = new CapturingBus("pio", 0x10, 8, 0);
        try (AccelVm vm = kvm.createVm(memory, pio.bus, IoBusStub.none(), 1)) {
            vm.reset(realMode(0x1000));
            CompletableFuture<VcpuExit> exit = runOnPlatformThread(vm, 0);
            waitFor(() -> pio.bytesWrittenTo(0x10).chars().filter(c -> c == 'T').count() >= 3,
                    "three PIT ticks, got '" + pio.bytesWrittenTo(0x10) + "'");
            vm.irqLine(3).pulse();
            waitFor(() -> pio.bytesWrittenTo(0x10).contains("I"), "the IRQ 3 handler, got '" + pio.bytesWrittenTo(0x10) + "'");
            vm.vcpu(0).kick();
            assertInstanceOf(VcpuExit.Kicked.class, exit.get(5, TimeUnit.SECONDS));

            // After a reset the PIC and PIT are back at power-on: the master 8259's IMR reads as
            // it did before the first guest programmed it.
            long powerOnImr = pio.valuesWrittenTo(0x15).getFirst();
            assertTrue(powerOnImr != 0xf6, "IMR at power-on 0x" + Long.toHexString(powerOnImr));
            pio.accesses.clear();
            vm.reset(realMode(quiet));
            CompletableFuture<VcpuExit> after = runOnPlatformThread(vm, 0);
            waitFor(() -> pio.bytesWrittenTo(0x10).equals("Q"), "the quiet guest's 'Q'");
            vm.vcpu(0).kick();
            assertInstanceOf(VcpuExit.Kicked.class, after.get(5, TimeUnit.SECONDS));
            assertEquals("Q", pio.bytesWrittenTo(0x10));
            assertEquals(java.util.List.of(powerOnImr), pio.valuesWrittenTo(0x15), "the 8259 was reset");
        } finally {
            memory.backing().close();
        }
    }
}
