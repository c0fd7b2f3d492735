package io.jvirt.vmm.accel.tcg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvirt.vmm.accel.tcg.cpu.CpuCore;
import io.jvirt.vmm.arch.x86_64.Segment;
import io.jvirt.vmm.arch.x86_64.X86BootState;
import io.jvirt.vmm.devices.BusDevice;
import io.jvirt.vmm.devices.IoBus;
import io.jvirt.vmm.memory.GuestMemory;
import io.jvirt.vmm.memory.GuestRam;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * CR8 and the local APIC's TPR are one register (Intel SDM vol. 3A §11.8.6.1): CR8 = TPR[7:4],
 * a CR8 write clears TPR[3:0], and a priority raised through CR8 holds back interrupts of its
 * class and below until CR8 is lowered. Guest code on the real software CPU with a real
 * {@link LocalApic}, run on the test thread; the guest reports on ports 0x510 and 0x511.
 */
class Cr8TprTest {

    private static final long CODE = 0x100000;
    private static final long STACK = 0x80000;
    private static final long IDT = 0x1000;
    /** The interrupt handler sits at CODE + 0x200 (".org" in the sources below). */
    private static final int HANDLER = 0x200;

    private final GuestMemory memory = GuestRam.allocate(16L << 20);
    private final IoBus pio = IoBus.create("pio");
    private final IoBus mmio = IoBus.create("mmio");
    private final ApicFixture apics = new ApicFixture(1).enableAll();
    private final LocalApic apic = apics.apic(0);
    private final CpuCore cpu = CpuCore.create(0, memory, pio, mmio, apic);
    /** "port:value" in hex, in the order the guest wrote them. */
    private final List<String> reports = new ArrayList<>();

    Cr8TprTest() {
        for (int port : new int[]{0x510, 0x511}) {
            pio.register(port, 1, new BusDevice() {
                @Override public long read(long offset, int size) { return 0; }
                @Override public void write(long offset, int size, long value) {
                    reports.add(Integer.toHexString(port) + ":" + Long.toHexString(value));
                }
            });
        }
        LongModeTables.write(memory, IDT, CODE + HANDLER);
    }

    @AfterEach
    void close() {
        apics.close();
        memory.backing().close();
    }

    /** Runs {@code source} (64-bit, RFLAGS.IF clear) on the test thread until it halts. */
    private void runToHalt(String source) {
        memory.write(CODE, GuestAsm.assemble(".code64\n" + source));
        cpu.load(new X86BootState(CODE, STACK, 0, 2, 0x80050033L, 0x9000, 0x6a0, 0x500 | 0x400 | 0x100,
                0x500, 8 * 4 - 1, IDT, 16 * 256 - 1,
                Segment.code64(0x10), Segment.flatData(0x18), Segment.flatData(0x18), Segment.flatData(0x18),
                Segment.flatData(0x18), Segment.flatData(0x18), Segment.tss(0, 0, 0xffff)));
        for (int i = 0; i < 1000; i++) {
            CpuCore.Stop s = cpu.run(1_000_000);
            if (s == CpuCore.Stop.HALTED) {
                return;
            }
            if (s == CpuCore.Stop.TRIPLE_FAULT) {
                throw new AssertionError("triple fault; " + apic.describe() + "; reports " + reports);
            }
        }
        throw new AssertionError("guest did not halt; reports " + reports);
    }

    @Test
    void cr8WriteSetsTprHighNibbleAndClearsTheLowOne() {
        apics.write(0, ApicRegisters.TPR, 0x3f);
        runToHalt("""
                mov $5, %eax
                mov %rax, %cr8
                mov %cr8, %rax
                mov $0x510, %dx
                out %eax, %dx
                hlt
                """);
        assertEquals(0x50, apics.read(0, ApicRegisters.TPR));
        assertEquals(List.of("510:5"), reports);
    }

    @Test
    void tprWrittenThroughTheApicPageReadsBackThroughCr8() {
        apics.write(0, ApicRegisters.TPR, 0xa7); // from outside the guest
        runToHalt("""
                mov $0x510, %dx
                mov %cr8, %rax
                out %eax, %dx
                mov $0xfee00000, %ebx
                movl $0x6c, 0x80(%rbx)
                mov %cr8, %rax
                out %eax, %dx
                hlt
                """);
        assertEquals(List.of("510:a", "510:6"), reports);
    }

    @Test
    void priorityRaisedThroughCr8HoldsBackItsClassAndBelowUntilLowered() {
        apic.acceptFixed(0x41, false); // class 4: equal to the raised priority
        apic.acceptFixed(0x31, false); // class 3: below it
        // The handler counts in %r12d and reports the in-service bits of vectors 0x20-0x5f on
        // port 0x511 (ISR words 0x110 | 0x120, vectors 32-63 and 64-95: 0x31 is bit 17, 0x41 bit 1).
        runToHalt("""
                mov $0xfee00000, %ebx
                xor %r12d, %r12d
                mov $4, %eax
                mov %rax, %cr8
                sti
                mov $1000, %ecx
            1:  dec %ecx
                jnz 1b
                mov %r12d, %eax
                mov $0x510, %dx
                out %eax, %dx
                mov $3, %eax
                mov %rax, %cr8
                mov %r12d, %eax
                mov $0x510, %dx
                out %eax, %dx
                mov $1000, %ecx
            2:  dec %ecx
                jnz 2b
                mov %r12d, %eax
                mov $0x510, %dx
                out %eax, %dx
                xor %eax, %eax
                mov %rax, %cr8
                mov %r12d, %eax
                mov $0x510, %dx
                out %eax, %dx
                cli
                hlt
            .org 0x200
                push %rax
                push %rdx
                inc %r12d
                mov 0x110(%rbx), %eax
                or 0x120(%rbx), %eax
                mov $0x511, %dx
                out %eax, %dx
                movl $0, 0xb0(%rbx)
                pop %rdx
                pop %rax
                iretq
            """);
        assertEquals(List.of(
                "510:0",                // CR8 = 4: neither 0x41 nor 0x31 taken, IF set for 1000 blocks
                "511:2", "510:1",       // CR8 = 3: 0x41 taken right after the write
                "510:1",                // 0x31 still held back
                "511:20000", "510:2"),  // CR8 = 0: 0x31 taken right after the write
                reports);
        assertEquals(0, apics.read(0, ApicRegisters.TPR));
    }
}
