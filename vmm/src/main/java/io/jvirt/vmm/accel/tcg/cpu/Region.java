package io.jvirt.vmm.accel.tcg.cpu;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The unit of translation: a hot entry block plus the decoded blocks it reaches by direct
 * branches without leaving its guest-physical page, found breadth-first. Branches between
 * them become jumps inside one JVM method, so loops and if/else chains of one function run
 * without returning to the run loop. Everything is addressed by offset from the entry, never
 * by linear address: the same page may be mapped at several addresses, and all blocks of the
 * region share the entry block's {@link CodePages} generation.
 */
final class Region {
    /** Caps that keep the generated method under HotSpot's huge-method limit (8000 bytecode bytes). */
    static final int MAX_BLOCKS = 24, MAX_INSNS = 160;

    /**
     * The register array ({@code Cpu.r}) of the CPU whose blocks these are: block caches are
     * per CPU, so its translation only ever runs on that CPU and takes the array as a constant.
     */
    final long[] registers;
    final List<Block> blocks = new ArrayList<>();
    /** Offset of each block's first instruction from the entry block's. */
    final List<Long> offsets = new ArrayList<>();
    /**
     * The instructions translated for each block: all of the block's, or the ones before the
     * first instruction where another block of the region starts (see {@link #split}).
     */
    final List<Insn[]> code = new ArrayList<>();
    private final Map<Long, Integer> byOffset = new HashMap<>();

    private Region(long[] registers) {
        this.registers = registers;
    }

    /** Block index at {@code offset} from the entry, or -1 (an exit). */
    int at(long offset) {
        Integer i = byOffset.get(offset);
        return i == null ? -1 : i;
    }

    /**
     * Whether a branch of the region goes back to one of its blocks at or before its own: the
     * only way a cycle can run inside the region's method (a loop, or a call back into an
     * earlier function of the page), which is where C2 beats C1.
     */
    boolean loops() {
        for (int k = 0; k < blocks.size(); k++) {
            long from = offsets.get(k);
            for (long t : successors(blocks.get(k), from)) {
                if (t <= from && at(t) >= 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The first {@code n} blocks (a breadth-first prefix, so still reachable from the entry). */
    Region prefix(int n) {
        Region r = new Region(registers);
        for (int k = 0; k < n; k++) {
            r.add(blocks.get(k), offsets.get(k));
        }
        r.split();
        return r;
    }

    private void add(Block b, long offset) {
        byOffset.put(offset, blocks.size());
        blocks.add(b);
        offsets.add(offset);
        code.add(b.insns);
    }

    /**
     * Ends each block where another block of the region starts inside it, so that the
     * instructions they share are translated once: gcc's loops are entered by a jump to their
     * middle or jump back into the middle of the block before them, and without this the
     * region holds the loop body twice, which doubles what HotSpot compiles for it. The cut
     * block then falls through to the other one's label.
     */
    private void split() {
        for (int k = 0; k < blocks.size(); k++) {
            Insn[] insns = blocks.get(k).insns;
            long off = offsets.get(k);
            int n = insns.length;
            for (int i = 0; i < n - 1; i++) {
                off += insns[i].len;
                if (byOffset.containsKey(off)) {
                    n = i + 1;
                    break;
                }
            }
            code.set(k, n == insns.length ? insns : Arrays.copyOf(insns, n));
        }
    }

    /**
     * Collects the region of {@code entry}, which the CPU is about to run at RIP {@code lin}.
     * {@code maxBlocks} caps its size; {@code cache} decodes the blocks it reaches.
     */
    static Region collect(Block entry, long lin, BlockCache cache, int maxBlocks) {
        Region r = new Region(cache.cpu().r);
        r.add(entry, 0);
        int insns = entry.insns.length;
        ArrayDeque<Integer> work = new ArrayDeque<>();
        work.add(0);
        long pageOff = entry.pa & 0xfff;
        while (!work.isEmpty()) {
            int k = work.poll();
            for (long t : successors(r.blocks.get(k), r.offsets.get(k))) {
                if (r.blocks.size() >= maxBlocks || r.at(t) >= 0 || pageOff + t < 0 || pageOff + t >= 4096) {
                    continue;
                }
                Block b;
                try {
                    b = cache.blockAt(lin + t);
                } catch (CpuFault f) {
                    continue;
                }
                if (b.mode != 64 || b.generation != entry.generation || b.pa2 >= 0 || b.pa != entry.pa + t
                        || insns + b.insns.length > MAX_INSNS) {
                    continue;
                }
                insns += b.insns.length;
                r.add(b, t);
                work.add(r.blocks.size() - 1);
            }
        }
        r.split();
        return r;
    }

    /** Offsets (from the entry) where execution may continue after block {@code b} at {@code offset}. */
    static long[] successors(Block b, long offset) {
        long end = offset;
        for (Insn in : b.insns) {
            end += in.len;
        }
        Insn last = b.insns[b.insns.length - 1];
        return switch (Forms.of(last)) {
            case Forms.JCC -> new long[]{end + last.imm, end};
            case Forms.JMP_REL, Forms.CALL_REL -> new long[]{end + last.imm};
            case Forms.RET, Forms.CALL_INTERP -> new long[0];
            default -> new long[]{end}; // cut at the cap or the page end: falls through
        };
    }
}
