package io.jvirt.vmm.accel.tcg.cpu;

/**
 * Static helpers that translated blocks call: the interpreter step for forms the translator
 * does not inline, the link check of chained exits, and shifts whose flags are dead.
 */
final class JitRuntime {
    private JitRuntime() {
    }

    /**
     * Executes one instruction with the interpreter, exactly as {@code Cpu.runBlock} does, and
     * says whether the block must end after it (code written, or state changed).
     */
    static boolean step(Cpu c, Insn in, long rip, long next) {
        c.settleFlags(); // the interpreter reads RFLAGS directly
        c.curRip = rip;
        c.rip = next;
        if (in.fast == 0 || !FastPath.exec(c, in)) {
            Exec.exec(c, in);
        }
        return c.codeChanged | c.endBlock;
    }

    /**
     * The translation {@code link} names for linear address {@code target}, counted as an
     * entry. Null sends the exit back to the run loop, which records the link for next time:
     * no link yet or a stale one (another address or state, or a translation the hot tier
     * replaced), an interrupt shadow, the chain long enough (the run loop polls interrupts and
     * the budget between chains), or the target due for the hot tier.
     */
    private static Translated chain(Cpu c, Link link, long target) {
        Translated t = link.target;
        if (t == null || link.lin != target || link.state != c.chainState()
                || c.shadow || --c.chainBudget < 0 || t.replaced) {
            c.unlinkedExit(link, target);
            return null;
        }
        if (!c.jit.counted(t)) {
            return null;
        }
        c.chained++;
        return t;
    }

    /**
     * The translation a chained exit of {@code from} calls next, or null ({@link #chain}): only
     * when RIP is at {@code target}, which a chained call's return point is only if the
     * callee's RET went there and an interpreted instruction's target always is (the exit
     * passes {@code c.rip}), and not after an instruction that ended the block for the run
     * loop (state changed, HLT, code written) or left 64-bit mode.
     */
    static Translated chainIf(Cpu c, Link link, long target) {
        if (c.rip != target || c.endBlock | c.codeChanged | c.halted || c.mode != 64) {
            return null;
        }
        return chain(c, link, target);
    }

    /** Shift result when its flags are dead ({@code Exec.group2}'s fast path). */
    static long shiftNoFlags(int kind, long v, int count, int size) {
        int n = count & (size == 8 ? 0x3f : 0x1f);
        if (kind <= 1) { // ROL, ROR: by the masked count modulo the operand width (SDM vol. 2B RCL/RCR/ROL/ROR)
            int bits = size * 8;
            int k = n % bits;
            long m = Cpu.mask(size);
            long x = v & m;
            if (k == 0) {
                return x;
            }
            return (kind == 0 ? (x << k) | (x >>> (bits - k)) : (x >>> k) | (x << (bits - k))) & m;
        }
        long r = switch (kind) {
            case 4, 6 -> v << n;
            case 5 -> (v & Cpu.mask(size)) >>> n;
            default -> Alu.sext(v, size) >> n;
        };
        return (n >= size * 8 && kind != 7 ? 0 : r) & Cpu.mask(size);
    }
}
