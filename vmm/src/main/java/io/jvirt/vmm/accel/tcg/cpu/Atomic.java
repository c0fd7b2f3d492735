package io.jvirt.vmm.accel.tcg.cpu;

import io.jvirt.sys.HostMemory;
import java.util.function.LongUnaryOperator;

/**
 * LOCK'd read-modify-write on guest memory, atomic across vCPU threads: a compare-and-set loop
 * on the aligned 8-byte word holding the operand; operands that cross such a word (or are not
 * RAM) fall back to one global lock, which only excludes other locked operations.
 */
final class Atomic {
    private static final Object GLOBAL = new Object();

    private Atomic() {
    }

    /** Applies {@code f} atomically to the {@code size}-byte operand at {@code lin}; returns the old value. */
    static long rmw(Cpu c, long lin, int size, LongUnaryOperator f) {
        long h = c.mmu.hostForWrite(lin, size);
        long m = Cpu.mask(size);
        if (h >= 0 && (h & 7) + size <= 8) {
            HostMemory host = c.mmu.host;
            long aligned = h & ~7L;
            int shift = (int) (h & 7) * 8;
            for (;;) {
                long word = host.getLong(aligned);
                long old = (word >>> shift) & m;
                long r = f.applyAsLong(old) & m;
                long nw = (word & ~(m << shift)) | (r << shift);
                if (word == nw || host.compareAndSetLong(aligned, word, nw)) {
                    return old;
                }
            }
        }
        synchronized (GLOBAL) {
            long old = c.mmu.read(lin, size);
            long r = f.applyAsLong(old);
            c.mmu.write(lin, size, r);
            return old;
        }
    }

    /** Whether the memory operand of {@code in} must be updated atomically. */
    static boolean locked(Insn in) {
        return (in.pfx & Insn.PLOCK) != 0 && in.mod != 3;
    }
}
