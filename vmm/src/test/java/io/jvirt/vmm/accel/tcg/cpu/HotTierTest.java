package io.jvirt.vmm.accel.tcg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Which regions {@link Jit} hands to the hot tier: those entered often that also loop often
 * per entry ({@link Jit#MIN_LOOPS_PER_ENTRY}), and those entered often enough within the
 * policy's time window; not those entered often over a long time that hardly loop.
 */
class HotTierTest {
    private static final int HOT = 2000;

    @Test
    void onlyARegionThatLoopsOftenPerEntryGoesHot() throws InterruptedException {
        Machine m = new Machine(Jit.of(0, HOT, 1)); // 1 ns: no region is entered HOT times that fast
        callFAndG(m);
        Block f = m.cpu.blocks.blockAt(Machine.CODE + 0x2000), g = m.cpu.blocks.blockAt(Machine.CODE + 0x3000);
        awaitHot(g);
        assertTrue(hot(g), "g loops 99 times per call: " + g.code.getClass().getName());
        assertFalse(hot(f), "f loops once per call: " + f.code.getClass().getName());
        assertTrue(f.code.region != null, "f stays a candidate, looked at again later");
    }

    @Test
    void aRegionEnteredOftenWithinTheWindowGoesHotWithoutLooping() throws InterruptedException {
        Machine m = new Machine(Jit.of(0, HOT, 3_600_000_000_000L)); // an hour: any HOT entries are fast enough
        callFAndG(m);
        Block f = m.cpu.blocks.blockAt(Machine.CODE + 0x2000);
        awaitHot(f);
        assertTrue(hot(f), "f was entered 20000 times at once: " + f.code.getClass().getName());
    }

    /** Calls f (which loops once per call) and g (99 times) 20000 times each. */
    private static void callFAndG(Machine m) {
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
    }

    /** Waits up to 10 s for b's hot translation: the hot tier translates on its own thread. */
    private static void awaitHot(Block b) throws InterruptedException {
        for (long end = System.nanoTime() + 10_000_000_000L; !hot(b) && System.nanoTime() < end; ) {
            Thread.sleep(10);
        }
    }

    /**
     * Once the hot translation of g arrives, the chained call that reached g's quick one
     * relinks to it: the quick code stops running while the guest goes on calling g. (The run
     * loop relinks a call whose target was {@link Translated#replaced} on its next entry, and
     * any link when the chain budget sends it back; this test cannot tell the two apart.)
     */
    @Test
    void aHotTranslationTakesOverTheQuickOnesLinks() throws Exception {
        Machine m = new Machine(Jit.of(0, 200_000)); // g stays quick for a while
        m.load(Asm.assemble("""
                .code64
                1: mov $100, %ecx
                call g
                cmpl $0, stop(%rip)
                je again
                hlt
                .org 0x3000
                g: dec %ecx
                jnz g
                ret
                .org 0x4000
                stop: .long 1
                .org 0x5000
                again: jmp 1b
                """)); // the loop's jumps leave their pages: no region of the caller loops, so none goes hot
        m.cpu.load(m.bootState());
        m.runToHalt(); // one call of g: its quick translation (threshold 0), seen while the CPU is halted
        Block g = m.cpu.blocks.blockAt(Machine.CODE + 0x3000);
        Translated quick = g.code;
        assertTrue(quick != null && !hot(g), "g has its quick translation: " + quick);
        m.memory.writeInt(Machine.CODE + 0x4000, 0);
        m.cpu.load(m.bootState());
        Thread guest = Thread.ofPlatform().start(m::runToHalt);
        try {
            awaitHot(g);
            assertTrue(hot(g), "g went to the hot tier while the guest ran: " + g.code);
            Thread.sleep(50); // the chained call relinks on its next entry
            quick.backEdges = 0;
            Thread.sleep(200);
            assertEquals(0, quick.backEdges, "the replaced quick translation of g no longer runs");
        } finally {
            m.memory.writeInt(Machine.CODE + 0x4000, 1);
            guest.join(10_000);
        }
        assertFalse(guest.isAlive(), "the guest saw the stop flag and halted");
    }

    private static boolean hot(Block b) {
        return b.code != null && b.code.getClass().getName().contains(Translator.HOT_NAME);
    }
}
