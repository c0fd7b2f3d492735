package io.jvirt.vmm.accel.tcg.cpu;

/**
 * Manual speed probe (not a test): {@code java ... SpeedProbe [call|call-missing|const]} prints
 * millions of guest instructions per second of the translated kernel loop below. Before
 * guest RAM was read by host address, the same code ran in a Linux boot at about half the
 * {@code call} mode's rate (0.61 against 0.33 ns per instruction: the boot's profile kept the
 * memory checks inside the loop), so a gain here is a hint, not a result: measure boots.
 */
final class SpeedProbe {
    private SpeedProbe() {
    }

    /**
     * The body of Linux's mpihelp_submul_1 (the RSA self-test, about 0.4 s of a boot), as the
     * Debian kernel has it (its generic 32-bit-half multiply), from the ftrace NOP to RET:
     * res_ptr in RDI, s1_ptr in RSI, s1_size in EDX, s2_limb in RCX.
     */
    private static final String SUBMUL = """
            submul:
            nopl 0x0(%rax,%rax,1)
            neg %edx
            mov %rcx,%r10
            push %r14
            mov %rdi,%r11
            movslq %edx,%rax
            push %r13
            shr $0x20,%r10
            mov %ecx,%r9d
            push %r12
            mov %rax,%r8
            mov %rax,%r12
            push %rbp
            movabs $0x100000000,%rbp
            push %rbx
            mov %rsi,%rbx
            xor %esi,%esi
            jmp 2f
            1: movslq %r8d,%rax
            2: sub %r12,%rax
            mov (%rbx,%rax,8),%rcx
            lea 0x0(,%rax,8),%rdi
            mov %rcx,%rdx
            mov %ecx,%ecx
            shr $0x20,%rdx
            mov %rcx,%rax
            imul %r9,%rax
            mov %rdx,%r13
            imul %r9,%r13
            imul %r10,%rcx
            imul %r10,%rdx
            mov %rax,%r14
            mov %eax,%eax
            shr $0x20,%r14
            add %r13,%rcx
            add %r14,%rcx
            mov %rdx,%r14
            add %rbp,%rdx
            cmp %r13,%rcx
            mov %rcx,%r13
            cmovae %r14,%rdx
            add %rsi,%rax
            shl $0x20,%r13
            add %r13,%rax
            cmp %rsi,%rax
            setb %sil
            add %r11,%rdi
            shr $0x20,%rcx
            mov (%rdi),%r13
            movzbl %sil,%esi
            sub %rax,%r13
            adc %rcx,%rsi
            mov %r13,(%rdi)
            add %rdx,%rsi
            add $0x1,%r8d
            jne 1b
            pop %rbx
            mov %rsi,%rax
            pop %rbp
            pop %r12
            pop %r13
            pop %r14
            ret
            """;

    /**
     * A prelude that reads and writes pages 4 MiB apart, so most accesses miss the TLB: the
     * profile the shared {@link Mmu} fast paths carry in a Linux boot.
     */
    private static final String TLB_MISSES = """
            mov $3000000, %r14
            9: mov %r14, %rax
            imul $0x9E3779B1, %eax, %eax
            and $0x7ff000, %eax
            add $0x200000, %rax
            mov (%rax), %rdx
            add $1, %rdx
            mov %rdx, 8(%rax)
            dec %r14
            jnz 9b
            """;

    /**
     * Modes: {@code call} (default) calls submul as the kernel does, on 32 limbs of pseudo-random
     * data (so carries vary); {@code call-missing} runs {@link #TLB_MISSES} first; {@code const}
     * on 64 limbs of constant data (every branch predictable).
     */
    public static void main(String[] args) {
        String mode = args.length > 0 ? args[0] : "call";
        if (!mode.equals("call") && !mode.equals("call-missing") && !mode.equals("const")) {
            throw new IllegalArgumentException("mode " + mode + ": use call, call-missing or const");
        }
        boolean constant = mode.equals("const");
        Machine m = new Machine();
        m.load(Asm.assemble(".code64\n" + (mode.equals("call-missing") ? TLB_MISSES : "") + """
                outer:
                lea buf(%rip), %rsi
                lea buf2(%rip), %rdi
                mov $LIMBS, %edx
                mov $0x9e3779b97f4a7c15, %rcx
                call submul
                jmp outer
                .balign 64
                """.replace("LIMBS", constant ? "64" : "32") + SUBMUL + ".balign 4096\nbuf:\n" + limbs(constant, 7)
                + "buf2:\n" + limbs(constant, 11)));
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

    /** 64 limbs as .quad lines: pseudo-random from {@code seed}, or all {@code seed} (carries never vary). */
    private static String limbs(boolean constant, long seed) {
        java.util.Random r = new java.util.Random(seed);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 64; i++) {
            sb.append(".quad ").append(constant ? seed : r.nextLong()).append('\n');
        }
        return sb.toString();
    }
}
