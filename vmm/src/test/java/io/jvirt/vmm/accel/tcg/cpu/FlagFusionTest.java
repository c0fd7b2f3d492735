package io.jvirt.vmm.accel.tcg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Compare-and-branch fusion ({@link FlagFusion}) against the interpreter: every producer
 * form it fuses, at every operand size, before each of the 16 Jcc conditions, on operand
 * pairs at the edges of each size. Both paths of each branch first save RFLAGS (PUSHFQ), so
 * the flags the translation writes late are checked on the fall-through and the taken path,
 * and a branch inside a loop covers the region's backward jump.
 */
class FlagFusionTest {
    private static final long[] VALUES = {0, 1, 2, -1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff,
        0x7fffffffL, 0x80000000L, 0xffffffffL, Long.MAX_VALUE, Long.MIN_VALUE, 0x123456789abcdefL};
    private static final String[][] REGS = {{"%al", "%bl"}, {"%ax", "%bx"}, {"%eax", "%ebx"}, {"%rax", "%rbx"}};

    private static List<String> producers(String a, String b) {
        List<String> l = new ArrayList<>();
        for (String op : new String[]{"cmp", "sub", "add", "and", "or", "xor", "test"}) {
            l.add(op + " " + b + ", " + a);
        }
        l.add("cmp $-2, " + a);
        l.add("add $1, " + a);
        l.add("test $0x81, " + a);
        l.add("cmp (%rsp), " + a);
        return l;
    }

    /** Runs each Jcc after {@code producer}; RDX collects which were taken, R14 a hash of the flags seen. */
    private static String program(String producer) {
        StringBuilder s = new StringBuilder("xor %edx, %edx\nxor %r14d, %r14d\npush %r9\n");
        String[] cc = {"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"};
        for (int k = 0; k < 16; k++) {
            s.append("mov %r8, %rax\nmov %r9, %rbx\n").append(producer).append("\nj").append(cc[k]).append(" 2f\n")
                    .append("pushfq\npop %r10\njmp 3f\n")
                    .append("2: pushfq\npop %r10\nbts $").append(k).append(", %rdx\n")
                    .append("3: rol $7, %r14\nxor %r10, %r14\nxor %rax, %r14\n");
        }
        // a fused compare closing a loop: the backward jump stays in the region
        s.append("mov $5, %ecx\n4: add %rcx, %r14\nsub $1, %ecx\njnz 4b\npushfq\npop %r10\nxor %r10, %r14\npop %r9\n");
        return s.toString();
    }

    @Test
    void fusedBranchesMatchTheInterpreter() {
        int compared = 0;
        for (String[] r : REGS) {
            for (String producer : producers(r[0], r[1])) {
                compared += forEachPair(program(producer) + "\n", (a, b, want, got) -> {
                    String what = String.format("%s with a=%x b=%x", producer, a, b);
                    assertEquals(Long.toHexString(want[0]), Long.toHexString(got[0]), what + ": branches taken");
                    assertEquals(Long.toHexString(want[1]), Long.toHexString(got[1]), what + ": flags seen");
                });
            }
        }
        assertEquals(REGS.length * 11 * VALUES.length * VALUES.length, compared);
    }

    /**
     * SETcc, CMOVcc, ADC and SBB after a producer in the same block take their condition or
     * carry from the producer's operands ({@code DataEmitter.known}); the flags they leave, and
     * the flags after an ADC, must still be the interpreter's.
     */
    @Test
    void consumersOfKnownFlagsMatchTheInterpreter() {
        String[] cc = {"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"};
        for (String[] r : REGS) {
            for (String producer : producers(r[0], r[1])) {
                StringBuilder src = new StringBuilder("xor %edx, %edx\nxor %r14d, %r14d\npush %r9\n");
                for (int k = 0; k < 16; k++) {
                    src.append("mov %r8, %rax\nmov %r9, %rbx\nmov %r8, %r12\nmov %r9, %r13\n").append(producer)
                            .append("\nset").append(cc[k]).append(" %r10b\ncmov").append(cc[k]).append(" %rbx, %r12\n")
                            .append(k % 2 == 0 ? "adc %rax, %r13\n" : "sbb $3, %r13\n")
                            .append("pushfq\npop %r11\nrol $7, %r14\nxor %r10, %r14\nxor %r11, %r14\nxor %r12, %r14\n")
                            .append("xor %r13, %r14\n");
                }
                src.append("pop %r9\n");
                forEachPair(src.toString(), (a, b, want, got) -> assertEquals(Long.toHexString(want[1]),
                        Long.toHexString(got[1]), String.format("%s then SETcc/CMOVcc/ADC with a=%x b=%x", producer, a, b)));
            }
        }
    }

    /**
     * Lazy flags ({@link Cpu#ccOp}) left by translated code are settled before a fault is
     * delivered: the RFLAGS image in the #PF frame is that of the ADD before the faulting store.
     */
    @Test
    void lazyFlagsReachTheFaultFrame() {
        long[] rflags = new long[2];
        for (int k = 0; k < 2; k++) {
            Machine m = new Machine(k == 0 ? -1 : 0);
            m.split2M(1, ExceptionTest.PT);
            m.memory.writeLong(m.pteAddress(ExceptionTest.PAGE, ExceptionTest.PT), 0); // not present
            m.load(Asm.assemble(".code64\n" + ExceptionTest.PROLOGUE + """
                    gate 14, pf
                    lidt idtr(%rip)
                    mov $0x201234, %rsi
                    mov $-1, %rax
                    add $1, %rax
                    movl $7, (%rsi)
                    hlt
                    pf: pop %r8
                    pop %r9
                    pop %r10
                    pop %r12
                    hlt
                    """ + ExceptionTest.EPILOGUE, Machine.CODE));
            m.cpu.load(m.bootState());
            rflags[k] = m.runToHalt().r[12];
        }
        long arith = Cpu.CF | Cpu.PF | Cpu.AF | Cpu.ZF | Cpu.SF | Cpu.OF;
        assertEquals(Cpu.CF | Cpu.PF | Cpu.AF | Cpu.ZF, rflags[0] & arith, "interpreter: flags of -1 + 1");
        assertEquals(Long.toHexString(rflags[0]), Long.toHexString(rflags[1]), "translated: same RFLAGS in the frame");
    }

    /** What one operand pair gave: RDX and R14 on the interpreter ({@code want}) and translated at first use ({@code got}). */
    private interface PairCheck {
        void check(long a, long b, long[] want, long[] got);
    }

    /** Runs {@code source} (then HLT) with R8 = a, R9 = b for every pair of {@link #VALUES}, both ways; returns the pairs run. */
    private static int forEachPair(String source, PairCheck check) {
        byte[] code = Asm.assemble(".code64\n" + source + "hlt\n", Machine.CODE);
        Machine interp = new Machine(-1);
        Machine jit = new Machine(0);
        interp.load(code);
        jit.load(code);
        int n = 0;
        for (long a : VALUES) {
            for (long b : VALUES) {
                check.check(a, b, run(interp, a, b), run(jit, a, b));
                n++;
            }
        }
        return n;
    }

    private static long[] run(Machine m, long a, long b) {
        m.cpu.load(m.bootState());
        m.cpu.r[8] = a;
        m.cpu.r[9] = b;
        Cpu c = m.runToHalt();
        return new long[]{c.r[Cpu.RDX], c.r[14]};
    }
}
