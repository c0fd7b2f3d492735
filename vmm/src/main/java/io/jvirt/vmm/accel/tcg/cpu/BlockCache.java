package io.jvirt.vmm.accel.tcg.cpu;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds the decoded block at the CPU's RIP: first the successor cache of the block just run
 * (chaining), then a table by linear address, both valid only for the TLB epoch and CPL they
 * were filled under; then the table by guest-physical address and code size, whose entries
 * live while their page's {@link CodePages} generation is unchanged; else decodes.
 */
final class BlockCache {
    private static final int MAX_BLOCK = 64;

    private final Cpu c;
    private final BlockTable table = new BlockTable();

    BlockCache(Cpu c) {
        this.c = c;
    }

    /** The CPU whose blocks these are. */
    Cpu cpu() {
        return c;
    }

    /** Second level: blocks by linear address, valid for a TLB epoch and CPL (skips the TLB and the physical cache). */
    private static final int LIN_CACHE = 1 << 14;
    private final Block[] linBlock = new Block[LIN_CACHE];
    private final long[] linTag = new long[LIN_CACHE];
    private final int[] linEpoch = new int[LIN_CACHE];
    private final int[] linCpl = new int[LIN_CACHE];

    /**
     * The block at the current RIP (may fault on the fetch). {@code prev}, the block run
     * before it or null, chains to it through its successor cache. The caller keeps it in a
     * local: a field written on every block costs a garbage-collector write barrier each time.
     */
    Block next(Block prev) {
        long lin = c.mode == 64 ? c.rip : (c.sbase[Cpu.CS] + c.rip) & 0xffffffffL;
        c.curRip = c.rip;
        int epoch = c.mmu.epoch;
        if (prev != null) {
            Block s = null;
            if (prev.lin0 == lin && prev.epoch0 == epoch && prev.cpl0 == c.cpl) {
                s = prev.succ0;
            } else if (prev.lin1 == lin && prev.epoch1 == epoch && prev.cpl1 == c.cpl) {
                s = prev.succ1;
            }
            if (s != null) {
                if (s.mode == c.mode && s.live(c.mmu.code)) {
                    return s;
                }
                // stale: drop the link so chains do not keep dead blocks alive
                if (s == prev.succ0) {
                    prev.succ0 = null;
                    prev.lin0 = -1;
                } else {
                    prev.succ1 = null;
                    prev.lin1 = -1;
                }
            }
        }
        int li = slot(lin, LIN_CACHE);
        Block b = linBlock[li];
        if (b == null || linTag[li] != lin || linEpoch[li] != epoch || linCpl[li] != c.cpl || b.mode != c.mode
                || !b.live(c.mmu.code)) {
            b = lookup(lin);
            if (b.generation >= 0) {
                linBlock[li] = b;
                linTag[li] = lin;
                linEpoch[li] = epoch;
                linCpl[li] = c.cpl;
            }
        }
        if (prev != null && b.generation >= 0) {
            if (prev.flip) {
                prev.succ1 = b;
                prev.lin1 = lin;
                prev.epoch1 = epoch;
                prev.cpl1 = c.cpl;
            } else {
                prev.succ0 = b;
                prev.lin0 = lin;
                prev.epoch0 = epoch;
                prev.cpl0 = c.cpl;
            }
            prev.flip = !prev.flip;
        }
        return b;
    }

    /** The linear address of the page after the one holding 64-bit {@code lin}. */
    private static long nextPage(long lin) {
        return (lin | 0xfff) + 1;
    }

    /** Fibonacci hashing: a multiplicative mix, so that nearby addresses spread over the table. */
    private static int slot(long address, int size) {
        return (int) ((address * 0x9E3779B97F4A7C15L) >>> (64 - Integer.numberOfTrailingZeros(size)));
    }

    /** The block at linear address {@code lin}, decoding it if needed (for {@link Region}; may fault). */
    Block blockAt(long lin) {
        return lookup(lin);
    }

    private Block lookup(long lin) {
        long pa = c.mmu.fetchPhys(lin);
        Block b = table.get(pa, c.mode);
        if (b != null && b.pa == pa && b.mode == c.mode && b.live(c.mmu.code)
                && (b.pa2 < 0 || c.mmu.fetchPhys(nextPage(lin)) == b.pa2)) {
            return b;
        }
        int gen = c.mmu.code.mark(pa);
        List<Insn> list = new ArrayList<>();
        long p = lin;
        boolean cacheable = gen >= 0 && c.mmu.memory.isRam(pa, 1);
        long pa2 = -1;
        int gen2 = 0;
        while (list.size() < MAX_BLOCK) {
            Insn in;
            try {
                in = c.decoder.decode(p, c.mode);
            } catch (CpuFault f) {
                if (list.isEmpty()) {
                    throw f;
                }
                break;
            }
            boolean crosses = ((p & 0xfff) + in.len) > 4096;
            if (crosses && !list.isEmpty()) {
                break;
            }
            list.add(in);
            p = c.mode == 64 ? p + in.len : (p + in.len) & 0xffffffffL;
            if (crosses) {
                // Alone in its block. In 64-bit mode it stays cached with its second page
                // (kernel functions that run across a page boundary reach one on every call);
                // elsewhere linear addresses may wrap inside it, so it is decoded each time.
                long second = c.mode == 64 ? c.mmu.fetchPhys(nextPage(lin)) : -1;
                int g2 = second >= 0 && c.mmu.memory.isRam(second, 1) ? c.mmu.code.mark(second) : -1;
                if (g2 >= 0) {
                    pa2 = second;
                    gen2 = g2;
                    // decoded again now that the page is marked: a write racing the first decode bumps g2
                    list.set(0, c.decoder.decode(lin, c.mode));
                } else {
                    cacheable = false;
                }
                break;
            }
            if (in.ends || (p & 0xfff) == 0) {
                break;
            }
        }
        Insn[] insns = list.toArray(new Insn[0]);
        FlagLiveness.analyze(insns);
        for (Insn in : insns) {
            FastPath.classify(in, c.mode);
        }
        b = new Block(pa, c.mode, cacheable ? gen : -1, pa2, gen2, insns);
        b.lin = lin;
        if (cacheable) {
            table.put(b);
        }
        return b;
    }
}
