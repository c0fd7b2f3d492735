package io.jvirt.vmm.accel.tcg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Paging, exceptions and interrupts through a 64-bit IDT, in long mode. */
class ExceptionTest {
    static final long PT = 0x3000;       // 4 KiB page table for 0x200000-0x3fffff
    static final long PAGE = 0x201000;   // a test page in that range

    /**
     * Prologue: an IDT at 'idt' built by the 'gate' macro (interrupt gate, selector 0x10), loaded
     * with LIDT. Handlers save the vector's frame into r8..r12 and halt.
     */
    static final String PROLOGUE = """
            .macro gate vec, handler, ist=0
            lea \\handler(%rip), %rdx
            mov %rdx, %rax
            and $0xffff, %eax
            mov %rdx, %rbx
            shr $16, %rbx
            and $0xffff, %ebx
            shl $48, %rbx
            or %rbx, %rax
            mov $0x8e0000100000 + (\\ist << 32), %rbx
            or %rbx, %rax
            mov %rax, idt+16*\\vec(%rip)
            shr $32, %rdx
            mov %rdx, idt+16*\\vec+8(%rip)
            .endm
            jmp start
            .balign 16
            idtr: .word 16*256-1
            .quad idt
            start:
            """;

    static final String EPILOGUE = """
            .balign 4096
            idt: .fill 512, 8, 0
            """;

    private static Cpu run(Machine m, String body) {
        m.load(Asm.assemble(".code64\n" + PROLOGUE + body + "\nhlt\n" + EPILOGUE));
        m.cpu.load(m.bootState());
        return m.runToHalt();
    }

    @Test
    void pageFaultPushesErrorCodeAndSetsCr2() {
        Machine m = new Machine();
        m.split2M(1, PT);
        m.memory.writeLong(m.pteAddress(PAGE, PT), 0); // not present
        Cpu c = run(m, """
                gate 14, pf
                lidt idtr(%rip)
                mov $0x201234, %rsi
                faulting: movl $7, (%rsi)
                hlt
                pf: pop %r8          # error code
                pop %r9              # rip
                mov %cr2, %r10
                lea faulting(%rip), %r11
                hlt
                """);
        assertEquals(2, c.r[8], "error code: write to a non-present page");
        assertEquals(c.r[11], c.r[9], "RIP of the faulting instruction");
        assertEquals(0x201234, c.r[10]);
    }

    @Test
    void writeToReadOnlyPageFaultsWithWpAndSetsDirtyOtherwise() {
        Machine m = new Machine();
        m.split2M(1, PT);
        long pte = m.pteAddress(PAGE, PT);
        m.memory.writeLong(pte, PAGE | 0x5); // present, user, read-only
        m.memory.writeLong(m.pteAddress(PAGE + 0x1000, PT), (PAGE + 0x1000) | 0x7);
        Cpu c = run(m, """
                gate 14, pf
                lidt idtr(%rip)
                mov $0x202010, %rsi
                movq $5, (%rsi)      # writable page: sets A and D
                mov $0x201000, %rsi
                movq $1, (%rsi)      # read-only with CR0.WP: #PF
                hlt
                pf: pop %r8
                hlt
                """);
        assertEquals(3, c.r[8], "protection violation on write");
        long pte2 = m.memory.readLong(m.pteAddress(PAGE + 0x1000, PT));
        assertEquals(0x60, pte2 & 0x60, "accessed and dirty set");
    }

    @Test
    void noExecutePageFaultsOnFetch() {
        Machine m = new Machine();
        m.split2M(1, PT);
        m.memory.writeLong(m.pteAddress(PAGE, PT), PAGE | 0x7 | (1L << 63));
        m.memory.writeByte(PAGE, (byte) 0xc3); // ret
        Cpu c = run(m, """
                gate 14, pf
                lidt idtr(%rip)
                mov $0x201000, %rax
                call *%rax
                hlt
                pf: pop %r8
                mov %cr2, %r10
                hlt
                """);
        assertEquals(0x11, c.r[8], "instruction fetch, protection");
        assertEquals(PAGE, c.r[10]);
    }

    @Test
    void invlpgMakesANewMappingVisible() {
        Machine m = new Machine();
        m.split2M(1, PT);
        m.memory.writeLong(0x201000, 111);
        m.memory.writeLong(0x202000, 222);
        long pte = m.pteAddress(PAGE, PT);
        Cpu c = run(m, """
                mov $0x201000, %rsi
                mov (%rsi), %r8          # 111, now cached in the TLB
                mov $PTE, %rdi
                movq $0x202007, (%rdi)  # remap 0x201000 -> 0x202000
                invlpg (%rsi)
                mov (%rsi), %r9        # 222
                """.replace("PTE", Long.toString(pte)));
        assertEquals(111, c.r[8]);
        assertEquals(222, c.r[9]);
    }

    @Test
    void divideErrorBreakpointAndInvalidOpcode() {
        Machine m = new Machine();
        Cpu c = run(m, """
                gate 0, de
                gate 3, bp
                gate 6, ud
                lidt idtr(%rip)
                xor %ecx, %ecx
                div %ecx
                after_de:
                int3
                after_bp:
                ud2
                hlt
                de: incq %r8
                lea after_de(%rip), %rax
                mov %rax, (%rsp)
                iretq
                bp: mov (%rsp), %r9
                lea after_bp(%rip), %r10
                iretq
                ud: mov (%rsp), %r11
                hlt
                """);
        assertEquals(1, c.r[8], "#DE delivered once");
        assertEquals(c.r[10], c.r[9], "#BP returns after INT3");
        assertNotEquals(0, c.r[11]);
    }

    @Test
    void accessesToNowhereReadAllOnesAndUnknownInstructionsRaiseUd() {
        Machine m = new Machine();
        Cpu c = run(m, """
                gate 6, ud
                lidt idtr(%rip)
                mov $0xc0000000, %rsi     # MMIO hole, no device
                movq $5, (%rsi)           # dropped
                mov (%rsi), %r8           # all ones
                pshufb %xmm1, %xmm0       # SSSE3: not advertised
                hlt
                ud: mov (%rsp), %r9
                hlt
                """);
        assertEquals(-1L, c.r[8]);
        assertEquals(0x0f, m.memory.readByte(c.r[9] + 1) & 0xff, "#UD at the PSHUFB (66 0F 38 00)");
    }

    @Test
    void faultWithoutIdtIsATripleFault() {
        Machine m = new Machine();
        m.load(Asm.assemble(".code64\nud2\n"));
        m.cpu.load(m.bootState());
        assertEquals(CpuCore.Stop.TRIPLE_FAULT, m.cpu.run(1000));
    }

    @Test
    void externalInterruptWaitsForIfAndWakesHlt() {
        Machine m = new Machine();
        m.irq.pending = 0x40;
        Cpu c = run(m, """
                gate 0x40, irq
                lidt idtr(%rip)
                mov $1, %r8          # IF=0: not taken
                mov $2, %r8
                sti
                mov $3, %r8          # shadow: still not taken before this
                nop
                hlt
                irq: mov %r8, %r9
                hlt
                """);
        assertEquals(3, c.r[9], "taken right after the instruction following STI");
    }

    @Test
    void syscallToUserAndBack() {
        Machine m = new Machine();
        Cpu c = run(m, """
                gate 13, gp
                lidt idtr(%rip)
                mov $0xc0000080, %ecx   # EFER.SCE
                rdmsr
                or $1, %eax
                wrmsr
                mov $0xc0000081, %ecx   # STAR: kernel CS 0x10, user base 0x28 (SS 0x30+3? CS 0x38+3)
                xor %eax, %eax
                mov $0x00280010, %edx
                wrmsr
                mov $0xc0000082, %ecx   # LSTAR
                lea kernel_entry(%rip), %rax
                mov %rax, %rdx
                shr $32, %rdx
                wrmsr
                lea user(%rip), %rcx
                mov $0x202, %r11
                sysretq
                user: mov %cs, %r8
                mov %ss, %r9
                syscall
                kernel_entry: mov %cs, %r10
                mov %rcx, %r12
                hlt
                gp: pop %r13
                hlt
                """);
        assertEquals(0x3b, c.r[8], "user CS = STAR[63:48] + 16, RPL 3");
        assertEquals(0x33, c.r[9], "user SS = STAR[63:48] + 8, RPL 3");
        assertEquals(0x10, c.r[10], "kernel CS from STAR[47:32]");
        assertTrue(c.r[12] > Machine.CODE, "RCX = return RIP");
        assertEquals(0, c.cpl);
    }

    @Test
    void lockedIncrementIsAtomicAcrossThreads() throws Exception {
        Machine m = new Machine();
        String code = """
                mov $200000, %ecx
                mov $0x300000, %rdi
                1: lock incq (%rdi)
                lock xaddl %eax, 8(%rdi)
                dec %ecx
                jnz 1b
                """;
        m.load(Asm.assemble(".code64\n" + code + "hlt\n"));
        Cpu other = (Cpu) CpuCore.create(1, m.memory, m.pio, m.mmio, new Machine.TestInterrupts());
        m.cpu.load(m.bootState());
        other.load(m.bootState());
        other.r[Cpu.RSP] = 0x70000;
        Thread t = Thread.ofPlatform().start(() -> {
            while (other.run(1_000_000) != CpuCore.Stop.HALTED) {
                Thread.onSpinWait();
            }
        });
        m.runToHalt();
        t.join();
        assertEquals(400000, m.memory.readLong(0x300000));
    }
}
