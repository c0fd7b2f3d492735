package io.jvirt.vmm.accel.tcg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.vmm.accel.AccelVm;
import io.jvirt.vmm.accel.VcpuExit;
import io.jvirt.vmm.arch.x86_64.Segment;
import io.jvirt.vmm.arch.x86_64.X86BootState;
import io.jvirt.vmm.devices.BusDevice;
import io.jvirt.vmm.devices.IoBus;
import io.jvirt.vmm.memory.GuestMemory;
import io.jvirt.vmm.memory.GuestRam;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Guest code on the real software CPU through {@link TcgAccelerator}: interrupts from the
 * LAPIC timer and from the PIT via IOAPIC pin 2 taken in long mode, and an application
 * processor started by INIT/SIPI. Guests report on port 0x510 (and 0x511 for the AP).
 */
class GuestCodeTest {

    private static final long CODE = 0x100000;
    private static final long STACK = 0x80000;
    private static final long IDT = 0x1000;
    /** The interrupt handler sits at CODE + HANDLER (".org" in the sources below). */
    private static final int HANDLER = 0x200;
    private static final int REPORT_PORT = 0x510;
    private static final int AP_PORT = 0x511;

    private final GuestMemory memory = GuestRam.allocate(64L << 20);
    private final IoBus pio = IoBus.create("pio");
    private final IoBus mmio = IoBus.create("mmio");
    private final ConcurrentHashMap<Integer, CompletableFuture<Long>> reports = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private AccelVm vm;

    GuestCodeTest() {
        for (int port : new int[]{REPORT_PORT, AP_PORT}) {
            pio.register(port, 1, new BusDevice() {
                @Override public long read(long offset, int size) { return 0; }
                @Override public void write(long offset, int size, long value) { report(port).complete(value); }
            });
        }
        LongModeTables.write(memory, IDT, CODE + HANDLER);
    }

    private CompletableFuture<Long> report(int port) {
        return reports.computeIfAbsent(port, p -> new CompletableFuture<>());
    }

    @AfterEach
    void close() throws InterruptedException {
        if (vm != null) {
            for (int i = 0; i < vm.vcpuCount(); i++) {
                vm.vcpu(i).kick();
            }
        }
        for (Thread t : threads) {
            t.join(5000);
        }
        if (vm != null) {
            vm.close();
        }
        memory.backing().close();
    }

    private static X86BootState boot() {
        return new X86BootState(CODE, STACK, 0, 2, 0x80050033L, 0x9000, 0x6a0, 0x500 | 0x400 | 0x100,
                0x500, 8 * 4 - 1, IDT, 16 * 256 - 1,
                Segment.code64(0x10), Segment.flatData(0x18), Segment.flatData(0x18), Segment.flatData(0x18),
                Segment.flatData(0x18), Segment.flatData(0x18), Segment.tss(0, 0, 0xffff));
    }

    /** Boots {@code source} on vCPU 0 of a {@code cpus}-vCPU VM; each vCPU on its own thread. */
    private void start(String source, int cpus) {
        memory.write(CODE, GuestAsm.assemble(".code64\n" + source));
        vm = TcgAccelerator.create().createVm(memory, pio, mmio, cpus);
        vm.reset(boot());
        for (int i = 0; i < cpus; i++) {
            var vcpu = vm.vcpu(i);
            threads.add(Thread.ofPlatform().name("test-vcpu-" + i).start(() -> {
                VcpuExit e = vcpu.run();
                if (!(e instanceof VcpuExit.Kicked)) {
                    report(REPORT_PORT).completeExceptionally(new AssertionError("vCPU " + vcpu.index() + ": " + e));
                }
            }));
        }
    }

    /** Counts interrupts in %r12 (handler EOIs the LAPIC), reports the count on port 0x510 at 5. */
    private static final String COUNT_FIVE_AND_REPORT = """
                xor %r12d, %r12d
                sti
            1:  hlt
                cmp $5, %r12d
                jb 1b
                cli
                mov %r12d, %eax
                mov $0x510, %dx
                out %eax, %dx
            2:  hlt
                jmp 2b
            .org 0x200
                inc %r12d
                movl $0, 0xb0(%rbx)
                iretq
            """;

    @Test
    void lapicTimerInterruptsAreTakenInLongMode() throws Exception {
        long start = System.nanoTime();
        start("""
                mov $0xfee00000, %ebx
                movl $0x1ff, 0xf0(%rbx)
                movl $0xb, 0x3e0(%rbx)
                movl $0x20040, 0x320(%rbx)
                movl $2000000, 0x380(%rbx)
                """ + COUNT_FIVE_AND_REPORT, 1);
        assertEquals(5, report(REPORT_PORT).get(30, TimeUnit.SECONDS));
        long took = System.nanoTime() - start;
        assertTrue(took >= 10_000_000, "five 2 ms periods take at least 10 ms, took " + took);
    }

    @Test
    void tscDeadlineTimerAgreesWithRdtsc() throws Exception {
        start("""
                mov $0xfee00000, %ebx
                movl $0x1ff, 0xf0(%rbx)
                movl $0x40040, 0x320(%rbx)
                xor %r12d, %r12d
                rdtsc
                shl $32, %rdx
                or %rdx, %rax
                mov %rax, %r13
                add $5000000, %rax
                mov %rax, %rdx
                shr $32, %rdx
                mov $0x6e0, %ecx
                wrmsr
                sti
            1:  hlt
                cmp $1, %r12d
                jb 1b
                cli
                rdtsc
                shl $32, %rdx
                or %rdx, %rax
                sub %r13, %rax
                mov $0x510, %dx
                out %eax, %dx
            2:  hlt
                jmp 2b
            .org 0x200
                inc %r12d
                movl $0, 0xb0(%rbx)
                iretq
            """, 1);
        long ticks = report(REPORT_PORT).get(30, TimeUnit.SECONDS);
        assertTrue(ticks >= 5_000_000 && ticks < 5_000_000_000L,
                "the deadline 5 ms of TSC ahead fired after " + ticks + " TSC ticks");
    }

    @Test
    void x2apicSelfIpiAndEoiThroughMsrs() throws Exception {
        start("""
                mov $0x1b, %ecx
                rdmsr
                or $0xc00, %eax
                wrmsr
                mov $0x80f, %ecx
                mov $0x1ff, %eax
                xor %edx, %edx
                wrmsr
                xor %r12d, %r12d
                sti
                mov $0x83f, %ecx
                mov $0x40, %eax
                wrmsr
            1:  cmp $1, %r12d
                jb 1b
                cli
                mov $0x802, %ecx
                rdmsr
                add $0x100, %eax
                mov $0x510, %dx
                out %eax, %dx
            2:  hlt
                jmp 2b
            .org 0x200
                inc %r12d
                mov $0x80b, %ecx
                xor %eax, %eax
                xor %edx, %edx
                wrmsr
                iretq
            """, 1);
        assertEquals(0x100, report(REPORT_PORT).get(30, TimeUnit.SECONDS), "x2APIC ID 0 read via MSR 0x802");
        LocalApic apic = ((TcgVm) vm).tcgVcpu(0).apic();
        assertEquals(-1, apic.mmioBase(), "x2APIC mode");
        assertEquals(0, apic.readMsr(0x812), "ISR (vectors 0x40-0x5f) empty after the MSR EOI");
    }

    @Test
    void kickEndsASpinningGuestPromptly() throws Exception {
        memory.write(CODE, GuestAsm.assemble(".code64\n1: jmp 1b\n"));
        vm = TcgAccelerator.create().createVm(memory, pio, mmio, 1);
        vm.reset(boot());
        var vcpu = vm.vcpu(0);
        long worst = 0;
        for (int i = 0; i < 20; i++) {
            CompletableFuture<Long> returned = new CompletableFuture<>();
            Thread t = Thread.ofPlatform().start(() -> {
                VcpuExit e = vcpu.run();
                returned.complete(e instanceof VcpuExit.Kicked ? System.nanoTime() : -1L);
            });
            Thread.sleep(2 + i % 3);
            long kicked = System.nanoTime();
            vcpu.kick();
            long back = returned.get(10, TimeUnit.SECONDS);
            assertTrue(back > 0, "run() returned Kicked");
            worst = Math.max(worst, back - kicked);
            t.join();
        }
        System.out.println("worst kick latency " + worst / 1000 + " us");
        assertTrue(worst < 1_000_000_000L, "kick latency " + worst + " ns");
    }

    @Test
    void resetRestartsTheGuestWithFreshTimersAndApics() throws Exception {
        start("""
                mov $0xfee00000, %ebx
                movl $0x1ff, 0xf0(%rbx)
                movl $0xb, 0x3e0(%rbx)
                movl $0x20040, 0x320(%rbx)
                movl $1000000, 0x380(%rbx)
                """ + COUNT_FIVE_AND_REPORT, 1);
        assertEquals(5, report(REPORT_PORT).get(30, TimeUnit.SECONDS));
        vm.vcpu(0).kick();
        threads.getFirst().join(5000);
        threads.clear();
        reports.clear();
        // The machine resets with every vCPU outside run(): the LAPIC timer must be stopped and
        // the guest must be able to program everything again.
        vm.reset(boot());
        assertEquals(0, ((TcgVm) vm).tcgVcpu(0).apic().mmioRead(ApicRegisters.INITIAL_COUNT, 4));
        var vcpu = vm.vcpu(0);
        threads.add(Thread.ofPlatform().start(vcpu::run));
        assertEquals(5, report(REPORT_PORT).get(30, TimeUnit.SECONDS));
    }

    @Test
    void pitInterruptsArriveThroughIoApicPin2() throws Exception {
        start("""
                mov $0xfee00000, %ebx
                movl $0x1ff, 0xf0(%rbx)
                mov $0xfec00000, %esi
                movl $0x14, (%rsi)
                movl $0x41, 0x10(%rsi)
                mov $0x34, %al
                out %al, $0x43
                mov $0xa9, %al
                out %al, $0x40
                mov $0x04, %al
                out %al, $0x40
                """ + COUNT_FIVE_AND_REPORT, 1);
        assertEquals(5, report(REPORT_PORT).get(30, TimeUnit.SECONDS));
    }

    @Test
    void applicationProcessorStartsOnInitSipi() throws Exception {
        byte[] trampoline = GuestAsm.assemble("""
                .code16
                    mov $0x511, %dx
                    mov $0xa1, %al
                    out %al, %dx
                1:  cli
                    hlt
                    jmp 1b
                """);
        memory.write(0x8000, trampoline);
        start("""
                mov $0xfee00000, %ebx
                movl $0x1ff, 0xf0(%rbx)
                movl $0x01000000, 0x310(%rbx)
                movl $0xc500, 0x300(%rbx)
                movl $0x8500, 0x300(%rbx)
                movl $0x4608, 0x300(%rbx)
                mov $1, %eax
                mov $0x510, %dx
                out %eax, %dx
            1:  hlt
                jmp 1b
                """, 2);
        assertEquals(1, report(REPORT_PORT).get(30, TimeUnit.SECONDS));
        assertEquals(0xa1, report(AP_PORT).get(30, TimeUnit.SECONDS));
    }
}
