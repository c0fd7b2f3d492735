package io.jvirt.vmm.accel.tcg.cpu;

/** Manual speed probe (not a test): java ... SpeedProbe prints millions of instructions per second. */
final class SpeedProbe {
    private SpeedProbe() {
    }

    public static void main(String[] args) {
        Machine m = new Machine();
        // the inner loop of Linux's mpih_submul_1 (RSA during boot), over a 64-limb vector
        m.load(Asm.assemble("""
                .code64
                outer:
                lea buf(%rip), %rbx
                lea buf2(%rip), %r11
                mov $64, %edx
                mov $0x123456789abcdef, %rcx
                neg %edx
                mov %rcx, %r10
                movslq %edx, %rax
                shr $0x20, %r10
                mov %ecx, %r9d
                mov %rax, %r8
                mov %rax, %r12
                movabs $0x100000000, %rbp
                xor %esi, %esi
                jmp 2f
                1: movslq %r8d, %rax
                2: sub %r12, %rax
                mov (%rbx,%rax,8), %rcx
                lea 0x0(,%rax,8), %rdi
                mov %rcx, %rdx
                mov %ecx, %ecx
                shr $0x20, %rdx
                mov %rcx, %rax
                imul %r9, %rax
                mov %rdx, %r13
                imul %r9, %r13
                imul %r10, %rcx
                imul %r10, %rdx
                mov %rax, %r14
                mov %eax, %eax
                shr $0x20, %r14
                add %r13, %rcx
                add %r14, %rcx
                mov %rdx, %r14
                add %rbp, %rdx
                cmp %r13, %rcx
                mov %rcx, %r13
                cmovae %r14, %rdx
                add %rsi, %rax
                shl $0x20, %r13
                add %r13, %rax
                cmp %rsi, %rax
                setb %sil
                add %r11, %rdi
                shr $0x20, %rcx
                mov (%rdi), %r13
                movzbl %sil, %esi
                sub %rax, %r13
                adc %rcx, %rsi
                mov %r13, (%rdi)
                add %rdx, %rsi
                add $0x1, %r8d
                jne 1b
                jmp outer
                .balign 4096
                .fill 64, 8, 0x5555
                buf: .fill 64, 8, 0x77
                .fill 64, 8, 0x3333
                buf2: .fill 64, 8, 0x99
                """));
        for (int round = 0; round < 3; round++) {
            m.cpu.load(m.bootState());
            var mx = java.lang.management.ManagementFactory.getThreadMXBean();
            long cpu0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            long before = m.cpu.instructionsRetired();
            long deadline = t0 + 5_000_000_000L;
            while (System.nanoTime() < deadline) {
                m.cpu.run(10_000_000);
            }
            long n = m.cpu.instructionsRetired() - before;
            double s = (System.nanoTime() - t0) / 1e9;
            double cpuS = (mx.getCurrentThreadCpuTime() - cpu0) / 1e9;
            System.out.printf("round %d: %.1f MIPS (%.1f per CPU second)%n", round, n / s / 1e6, n / cpuS / 1e6);
        }
    }
}
