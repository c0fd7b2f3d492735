package io.jvirt.vmm.accel.tcg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Chained translations ({@link Translated}, {@link JitRuntime#chainIf}): a translation that
 * leaves for another page calls the next translation itself, and still sees a write to that
 * page's code, a new mapping of it, and interrupts. Each case checks that chained calls
 * happened, so it tests the links, not the run loop.
 */
class ChainingTest {
    /** The called function's page (two pages after the caller's). */
    private static final long CALLEE = Machine.CODE + 0x2000;
    /** Calls {@code f} 3000 times from one call site; at the 1000th the loop runs {@code change}. */
    private static String program(String change) {
        return """
                .code64
                mov $3000, %ecx
                1: call f
                cmp $2000, %ecx
                jne 2f
                """ + change + "\n" + """
                2: dec %ecx
                jnz 1b
                hlt
                .org 0x2000
                f: mov $0x11, %eax
                ret
                """;
    }

    @Test
    void aWriteToTheCalledCodeIsSeen() {
        int threshold = 0; // translated at once, on this thread: the program runs for milliseconds
        Cpu c = new Machine(threshold).run64(program("movb $0x22, f+1"));
        assertEquals(0x22, c.r[Cpu.RAX], "the calls after the write ran the new code");
        assertTrue(c.chained > 1000, "calls went through chain links: " + c.chained);
    }

    @Test
    void aNewMappingOfTheCalledPageIsSeen() {
        // translated at once, on this thread; the copy has mov $0x33, %eax
        Cpu c = new Machine(0).runRemapping(ChainingTest::program, CALLEE, 1, (byte) 0x33);
        assertEquals(0x33, c.r[Cpu.RAX], "the calls after the remap ran the copy");
        assertTrue(c.chained > 1000, "calls went through chain links: " + c.chained);
    }

    @Test
    void returnsAndIndirectCallsGoWhereTheyShouldWhenTheirTargetsAlternate() {
        // A chained call goes on at its return point only if the RET went there; an
        // interpreted indirect call's link caches its last target: every iteration below
        // returns to two call sites and changes the indirect call's target.
        Cpu c = new Machine(0).run64("""
                mov $3000, %ecx
                lea g1(%rip), %rbx
                lea g2(%rip), %rdx
                1: call f
                inc %r8
                call f
                add $2, %r9
                call *%rbx
                xchg %rbx, %rdx
                dec %ecx
                jnz 1b
                hlt
                .org 0x2000
                f: inc %r10
                ret
                g1: add $3, %r11
                ret
                g2: add $5, %r11
                ret
                """);
        assertEquals(3000, c.r[8]);
        assertEquals(6000, c.r[9]);
        assertEquals(6000, c.r[10]);
        assertEquals(1500 * 3 + 1500 * 5, c.r[11]);
        assertTrue(c.chained > 6000, "returns went through chain links: " + c.chained);
    }

    @Test
    void aTimerDeadlineWriteKeepsTheLinks() {
        // Linux writes IA32_TSC_DEADLINE at every timer tick. An APIC MSR write that leaves the
        // APIC's page where it is must not flush the TLB, which would drop every chain link.
        Cpu c = new Machine(0).run64("""
                mov $3000, %esi
                1: call f
                mov $0x6e0, %ecx
                mov %esi, %eax
                xor %edx, %edx
                wrmsr
                dec %esi
                jnz 1b
                hlt
                .org 0x2000
                f: mov $0x11, %eax
                ret
                """);
        assertEquals(1, c.msrs.read(Machine.TestInterrupts.TSC_DEADLINE), "the last deadline written");
        assertTrue(c.chained > 2000, "calls after each wrmsr went through chain links: " + c.chained);
    }

    @ParameterizedTest(name = "translation threshold {0}")
    @ValueSource(ints = {0, 500})
    void anInterruptReachesALoopThatOnlyChains(int threshold) throws InterruptedException {
        Machine m = new Machine(threshold);
        m.load(Asm.assemble(".code64\n" + ExceptionTest.PROLOGUE + """
                gate 0x40, irq
                lidt idtr(%rip)
                sti
                a: inc %r8
                jmp b
                irq: hlt
                .org 0x2000
                b: inc %r9
                jmp a
                """ + ExceptionTest.EPILOGUE));
        m.cpu.load(m.bootState());
        Thread raise = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            m.irq.pending = 0x40;
        });
        Cpu c = m.runToHalt();
        raise.join();
        assertTrue(c.r[8] > 10_000 && c.r[9] > 10_000, "the loop ran: r8 " + c.r[8] + ", r9 " + c.r[9]);
        assertTrue(c.chained > 10_000, "the loop went through chain links: " + c.chained);
    }
}
