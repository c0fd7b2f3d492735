package io.jvirt.vmm.accel.tcg.cpu;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Which regions {@link Jit} hands to the hot tier: those entered often that also loop often
 * per entry ({@link Jit#MIN_LOOPS_PER_ENTRY}), not those entered often that hardly loop.
 */
class HotTierTest {
    private static final int HOT = 2000;

    @Test
    void onlyARegionThatLoopsOftenPerEntryGoesHot() throws InterruptedException {
        Machine m = new Machine(Jit.of(0, HOT));
        m.run64("""
                mov $20000, %r12d
                1: mov $2, %ecx
                call f
                mov $100, %ecx
                call g
                dec %r12d
                jnz 1b
                hlt
                .org 0x2000
                f: dec %ecx
                jnz f
                ret
                .org 0x3000
                g: dec %ecx
                jnz g
                ret
                """);
        Block f = m.cpu.blocks.blockAt(Machine.CODE + 0x2000), g = m.cpu.blocks.blockAt(Machine.CODE + 0x3000);
        for (long end = System.nanoTime() + 10_000_000_000L; !hot(g) && System.nanoTime() < end; ) {
            Thread.sleep(10); // the hot tier translates on its own thread
        }
        assertTrue(hot(g), "g loops 99 times per call: " + g.code.getClass().getName());
        assertFalse(hot(f), "f loops once per call: " + f.code.getClass().getName());
        assertTrue(f.code.region != null, "f stays a candidate, looked at again later");
    }

    private static boolean hot(Block b) {
        return b.code != null && b.code.getClass().getName().contains(Translator.HOT_NAME);
    }
}
