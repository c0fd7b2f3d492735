package io.jvirt.vmm.accel.tcg.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Guest registers seen through every way in and out of a translated region: a normal exit, a
 * fault raised by translated code, and the interpreter or MulDiv called from inside the region
 * (also when they fault part-way). Each case runs on the interpreter alone and translated at
 * first use, and all sixteen registers must agree.
 */
class RegionRegistersTest {

    @Test
    void interpretedInstructionsInsideALoopSeeAndSetRegisters() {
        long[][] regs = both("""
                mov $0x0102030405060708, %rax
                mov $3, %rbx
                mov $0x10, %ecx
                mov $0x55, %edx
                xor %esi, %esi
                loop:
                bswap %rax           # the interpreter (not inlined): reads and writes RAX
                add %rax, %rsi       # translated: must see the swapped value
                xchg %rbx, %rdx      # the interpreter again, on two registers the loop also writes
                inc %rbx
                mov $0x7f, %ah       # partial-register write in a local
                bsr %rsi, %rdi
                dec %ecx
                jnz loop
                """, null);
        assertEquals(0, regs[1][Cpu.RCX], "the loop ran to the end");
        assertArrayEquals(regs[0], regs[1], "translated registers equal the interpreter's");
    }

    @Test
    void aFaultInTranslatedCodeSeesTheRegistersWrittenBeforeIt() {
        long[][] regs = both("""
                mov $0x201234, %rsi
                mov $1, %rcx
                mov $0x22, %dh
                mov $3, %r15d
                lea 8(%rcx,%rcx,2), %r9
                push %r9
                movl $7, (%rsi)      # #PF: not present
                mov $99, %rcx
                """, ExceptionTest.PAGE);
        assertEquals(1, regs[1][Cpu.RCX]);
        assertEquals(11, regs[1][9]);
        assertEquals(0x2200, regs[1][Cpu.RDX] & 0xff00);
        assertArrayEquals(regs[0], regs[1], "translated registers equal the interpreter's at the fault");
    }

    @Test
    void aFaultInsideAnInterpretedStringCopyKeepsItsProgress() {
        long[][] regs = both("""
                mov $0x200ff8, %rdi  # 8 bytes below the missing page
                lea start(%rip), %rsi
                mov $16, %ecx
                mov $5, %r10
                cld
                rep movsb            # copies 8 bytes, then #PF with RCX = 8
                mov $77, %r10
                """, ExceptionTest.PAGE);
        assertEquals(8, regs[1][Cpu.RCX], "RCX counts the bytes left");
        assertEquals(ExceptionTest.PAGE, regs[1][Cpu.RDI]);
        assertEquals(5, regs[1][10]);
        assertArrayEquals(regs[0], regs[1], "translated registers equal the interpreter's at the fault");
    }

    @Test
    void aDivideErrorFromMulDivKeepsTheRegisters() {
        long[][] regs = both("""
                mov $6, %rax
                mov $7, %rdx
                mov $2, %r8
                mul %r8              # RDX:RAX = 12
                mov $9, %r11
                xor %ebx, %ebx
                div %rbx             # #DE
                mov $1, %r11
                """, null);
        assertEquals(12, regs[1][Cpu.RAX]);
        assertEquals(0, regs[1][Cpu.RDX]);
        assertEquals(9, regs[1][11]);
        assertArrayEquals(regs[0], regs[1], "translated registers equal the interpreter's at #DE");
    }

    /**
     * Runs {@code body} (after an IDT whose #PF and #DE handlers halt) on the interpreter and
     * translated at first use; with {@code missing} set, that page is not present. Returns both
     * register files.
     */
    private static long[][] both(String body, Long missing) {
        long[][] out = new long[2][];
        for (int k = 0; k < 2; k++) {
            Machine m = new Machine(k == 0 ? -1 : 0);
            m.split2M(1, ExceptionTest.PT);
            if (missing != null) {
                m.memory.writeLong(m.pteAddress(missing, ExceptionTest.PT), 0);
            }
            m.load(Asm.assemble(".code64\n" + ExceptionTest.PROLOGUE + """
                    gate 0, stop
                    gate 14, stop
                    lidt idtr(%rip)
                    """ + body + """
                    hlt
                    stop: hlt
                    """ + ExceptionTest.EPILOGUE, Machine.CODE));
            m.cpu.load(m.bootState());
            out[k] = m.runToHalt().r.clone();
        }
        return out;
    }
}
