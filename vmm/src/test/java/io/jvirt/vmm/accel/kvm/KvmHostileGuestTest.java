package io.jvirt.vmm.accel.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvirt.vmm.accel.AccelVm;
import io.jvirt.vmm.accel.VcpuExit;
import io.jvirt.vmm.arch.x86_64.LongModeBoot;
import io.jvirt.vmm.arch.x86_64.X86BootState;
import io.jvirt.vmm.devices.BusDevice;
import io.jvirt.vmm.devices.IoBus;
import io.jvirt.vmm.memory.GuestMemory;
import io.jvirt.vmm.memory.GuestRam;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guests that misbehave end in a {@link VcpuExit}, never an exception out of run(); a VM can be
 * reset and run again.
 */
class KvmHostileGuestTest {

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
    void executingFromMmioFailsTheVcpuWithDetails() throws Exception {
        byte[] code = GuestAsm.assemble(dir, "jump", 0x100000, """
                .code64
                    mov $0xd0000000, %eax
                    jmp *%rax
                """);
        GuestMemory memory = GuestRam.allocate(RAM);
        memory.write(0x100000, code);
        CapturingBus mmio = new CapturingBus("mmio", 0xd0000000L, 0x1000, 0x90909090L);
        try (AccelVm vm = kvm.createVm(memory, IoBusStub.none(), mmio.bus, 1)) {
            vm.reset(LongModeBoot.prepare(memory, 0x100000, 0x7000));
            VcpuExit exit = vm.vcpu(0).run();
            String detail = switch (exit) {
                case VcpuExit.Failed f -> f.detail();
                case VcpuExit.TripleFault t -> t.detail();
                default -> throw new AssertionError("expected the vCPU to fail, got " + exit);
            };
            System.err.println("executing from MMIO: " + exit);
            assertTrue(detail.contains("rip 0xd0000000"), detail);
        } finally {
            memory.backing().close();
        }
    }

    @Test
    void aThrowingDeviceReadsAsAllOnesAndTheGuestGoesOn() throws Exception {
        byte[] code = GuestAsm.assemble(dir, "bad", 0x100000, """
                .code64
                    in $0x30, %al                   # the broken device
                    out %al, $0x10
                    mov $0xd0000000, %ebx
                    movl $1, (%rbx)                 # unclaimed MMIO write: dropped
                    mov (%rbx), %eax                # unclaimed MMIO read: all ones
                    out %eax, $0x14
                    ud2
                """);
        GuestMemory memory = GuestRam.allocate(RAM);
        memory.write(0x100000, code);
        CapturingBus pio = new CapturingBus("pio", 0x10, 8, 0);
        pio.bus.register(0x30, 1, new BusDevice() {
            @Override
            public long read(long offset, int size) {
                throw new IllegalStateException("device bug");
            }

            @Override
            public void write(long offset, int size, long value) {
                throw new IllegalStateException("device bug");
            }
        });
        try (AccelVm vm = kvm.createVm(memory, pio.bus, IoBus.create("mmio"), 1)) {
            vm.reset(LongModeBoot.prepare(memory, 0x100000, 0x7000));
            assertInstanceOf(VcpuExit.TripleFault.class, vm.vcpu(0).run());
            assertEquals(java.util.List.of(0xffL, 0xffffffffL),
                    pio.accesses.stream().filter(CapturingBus.Access::write).map(CapturingBus.Access::value).toList());
        } finally {
            memory.backing().close();
        }
    }

    @Test
    void resetRunsTheGuestAgainFromTheBootState() throws Exception {
        byte[] code = GuestAsm.assemble(dir, "again", 0x100000, """
                .code64
                    mov $0xfee00000, %ebx
                    mov 0xf0(%rbx), %eax            # LAPIC SVR: 0xff after power-on
                    out %eax, $0x14
                    movl $0x1ff, 0xf0(%rbx)         # the guest changes it
                    mov $'L', %al
                    out %al, $0x10
                    ud2
                """);
        GuestMemory memory = GuestRam.allocate(RAM);
        memory.write(0x100000, code);
        CapturingBus pio = new CapturingBus("pio", 0x10, 8, 0);
        try (AccelVm vm = kvm.createVm(memory, pio.bus, IoBusStub.none(), 1)) {
            X86BootState boot = LongModeBoot.prepare(memory, 0x100000, 0x7000);
            vm.reset(boot);
            assertInstanceOf(VcpuExit.TripleFault.class, vm.vcpu(0).run());
            vm.reset(boot);
            assertInstanceOf(VcpuExit.TripleFault.class, vm.vcpu(0).run());
            assertEquals("LL", pio.bytesWrittenTo(0x10));
            assertEquals(java.util.List.of(0xffL, 0xffL), pio.valuesWrittenTo(0x14), "the LAPIC is back at power-on");
        } finally {
            memory.backing().close();
        }
    }
}
