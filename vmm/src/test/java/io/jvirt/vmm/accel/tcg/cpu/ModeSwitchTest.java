package io.jvirt.vmm.accel.tcg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * An application processor's way into long mode, as Linux's trampoline does it: INIT, SIPI to
 * vector 8 (real mode at 0x8000), LGDT, CR0.PE and a far jump to 32-bit code, PAE + CR3 +
 * EFER.LME, CR0.PG, a far jump to 64-bit code.
 */
class ModeSwitchTest {

    @Test
    void realToProtectedToLongMode() {
        Machine m = new Machine();
        byte[] tramp = Asm.assemble("""
                .code16
                cli
                mov %cs, %ax
                mov %ax, %ds
                mov $0x1234, %bx          # 16-bit arithmetic in real mode
                add %bx, %bx
                mov %bx, %si
                lgdtl gdtr - 0x8000
                mov %cr0, %eax
                or $1, %eax
                mov %eax, %cr0
                ljmpl $0x20, $pm32
                .code32
                pm32:
                mov $0x18, %eax
                mov %eax, %ds
                mov %eax, %es
                mov %eax, %ss
                mov $0x7c00, %esp
                push $0x55aa
                pop %edi
                mov %cr4, %eax
                or $0x20, %eax            # PAE
                mov %eax, %cr4
                mov $0x9000, %eax
                mov %eax, %cr3
                mov $0xc0000080, %ecx
                rdmsr
                or $0x100, %eax           # LME
                wrmsr
                mov %cr0, %eax
                or $0x80000000, %eax      # PG
                mov %eax, %cr0
                ljmpl $0x10, $lm64
                .code64
                lm64:
                mov $0x123456789, %rax
                mov $0xe9, %dx
                movb $'L', %al
                outb %al, %dx
                hlt
                .balign 8
                gdtr: .word 8*9-1
                .long 0x500
                """, 0x8000);
        m.memory.write(0x8000, tramp);
        m.cpu.init();
        assertEquals(CpuCore.Stop.HALTED, m.cpu.run(1000), "waits for SIPI");
        m.cpu.startup(0x08);
        Cpu c = m.runToHalt();
        assertEquals("L", m.debugOutput());
        assertEquals(64, c.mode);
        assertEquals(0x2468, c.r[Cpu.RSI] & 0xffff);
        assertEquals(0x55aa, c.r[Cpu.RDI]);
        assertEquals(0x500 | 0x400, c.efer & 0x500 | 0x400, "LME and LMA");
        assertEquals(Cpu.EFER_LMA, c.efer & Cpu.EFER_LMA);
    }
}
