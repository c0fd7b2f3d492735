package io.jvirt.vmm.accel.tcg.cpu;

/** Manual speed probe (not a test): java ... SpeedProbe prints millions of instructions per second. */
final class SpeedProbe {
    private SpeedProbe() {
    }

    public static void main(String[] args) {
        Machine m = new Machine();
        m.load(Asm.assemble("""
                .code64
                mov $200000000, %rcx
                lea buf(%rip), %rdi
                1:
                mov (%rdi), %rax
                add %rcx, %rax
                xor $0x55, %eax
                mov %rax, 8(%rdi)
                shr $3, %rax
                cmp $7, %rax
                adc $0, %rdx
                dec %rcx
                jnz 1b
                hlt
                .balign 4096
                buf: .quad 0, 0
                """));
        for (int round = 0; round < 3; round++) {
            m.cpu.load(m.bootState());
            long t0 = System.nanoTime();
            long before = m.cpu.instructionsRetired();
            long deadline = t0 + 5_000_000_000L;
            while (System.nanoTime() < deadline) {
                m.cpu.run(10_000_000);
            }
            long n = m.cpu.instructionsRetired() - before;
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("round %d: %.1f MIPS%n", round, n / s / 1e6);
        }
    }
}
