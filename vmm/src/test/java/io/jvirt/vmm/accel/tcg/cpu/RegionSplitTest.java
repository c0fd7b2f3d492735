package io.jvirt.vmm.accel.tcg.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A loop entered by a jump into its middle, the way gcc lays out loops: the block at the loop
 * head contains the block the entry jump goes to, so the region must translate the shared
 * instructions once (the head block is cut where the other starts and falls through to it)
 * and still run exactly as the interpreter does.
 */
class RegionSplitTest {
    private static final String LOOP = """
            mov $5, %ecx
            xor %eax, %eax
            jmp 2f
            1: add $3, %rax
            2: add $1, %rax
            dec %ecx
            jnz 1b
            """;

    @Test
    void theLoopHeadIsCutWhereTheEntryJumpLands() {
        Machine m = new Machine(-1);
        m.load(Asm.assemble(".code64\n" + LOOP + "hlt\n"));
        m.cpu.load(m.bootState());
        BlockCache cache = new BlockCache(m.cpu);
        Block entry = cache.blockAt(Machine.CODE);
        Region r = Region.collect(entry, Machine.CODE, cache, Region.MAX_BLOCKS);

        assertEquals(4, r.blocks.size(), "entry, the jump's target, the loop head and the fall-through");
        int head = r.at(r.offsets.get(2));
        assertEquals(4, r.blocks.get(head).insns.length, "the loop head block, as decoded: add, add, dec, jnz");
        assertEquals(1, r.code.get(head).length, "translated up to the jump target only: add $3");
        assertEquals(3, r.code.get(1).length, "the jump target's block is whole");
    }

    @Test
    void aRegionLoopsOnlyWithABranchBackIntoIt() {
        assertTrue(region(LOOP + "hlt\n").loops(), "jnz 1b goes back to the loop head");
        assertFalse(region("""
                cmp $1, %eax
                je 1f
                add $3, %rax
                1: add $1, %rax
                hlt
                """).loops(), "an if: forward branches only");
        assertTrue(region("1: dec %ecx\njnz 1b\nhlt\n").loops(), "a block that branches to itself");
    }

    private static Region region(String code) {
        Machine m = new Machine(-1);
        m.load(Asm.assemble(".code64\n" + code));
        m.cpu.load(m.bootState());
        BlockCache cache = new BlockCache(m.cpu);
        return Region.collect(cache.blockAt(Machine.CODE), Machine.CODE, cache, Region.MAX_BLOCKS);
    }

    @Test
    void theCutLoopComputesWhatTheInterpreterDoes() {
        long[] interpreted = new Machine(-1).run64(LOOP).r.clone();
        long[] translated = new Machine(0).run64(LOOP).r.clone();
        assertEquals(1 + 4 * 4, translated[Cpu.RAX], "one pass from the middle, then four whole ones");
        assertArrayEquals(interpreted, translated);
    }
}
