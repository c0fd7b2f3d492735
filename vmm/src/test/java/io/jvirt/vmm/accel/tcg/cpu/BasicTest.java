package io.jvirt.vmm.accel.tcg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BasicTest {
    @Test
    void arithmeticAndLoops() {
        Machine m = new Machine();
        Cpu c = m.run64("""
                mov $10, %ecx
                xor %eax, %eax
                1: add %rcx, %rax
                dec %ecx
                jnz 1b
                mov $0x1234567890, %rbx
                push %rbx
                pop %rdx
                """);
        assertEquals(55, c.r[Cpu.RAX]);
        assertEquals(0x1234567890L, c.r[Cpu.RDX]);
        assertEquals(Machine.STACK, c.r[Cpu.RSP]);
    }

    @Test
    void debugPortAndStrings() {
        Machine m = new Machine();
        m.run64("""
                lea msg(%rip), %rsi
                mov $5, %ecx
                mov $0xe9, %dx
                rep outsb
                jmp done
                msg: .ascii "hello"
                done:
                """);
        assertEquals("hello", m.debugOutput());
    }
}
