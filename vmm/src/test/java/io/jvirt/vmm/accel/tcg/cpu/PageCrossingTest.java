package io.jvirt.vmm.accel.tcg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An instruction whose bytes straddle a page boundary: its block is cached and translated like
 * any other (kernel functions that run across a page boundary reach one on every call, and
 * decoding it every time cost a Linux guest 100-200 thousand decodes a second under disk I/O),
 * and it still sees a write to either page and a new mapping of the second one.
 */
class PageCrossingTest {
    /** {@code mov $0x44332211, %eax; ret} at 0x101ffd: the immediate's last two bytes and the ret are on the next page. */
    private static final long STRADDLE = Machine.CODE + 0x1ffd;
    private static final long SECOND_PAGE = Machine.CODE + 0x2000;
    private static final String FUNCTION = """
            .org 0x1ffd
            straddle: .byte 0xb8, 0x11, 0x22, 0x33, 0x44, 0xc3
            """;
    /** Calls the function 3000 times (enough to translate its callers), then runs {@code change} and calls it again. */
    private static String program(String change) {
        return """
                .code64
                mov $3000, %ecx
                1: call straddle
                dec %ecx
                jnz 1b
                """ + change + "\n" + """
                call straddle
                hlt
                """ + FUNCTION;
    }

    @Test
    void itsBlockIsDecodedOnceAndRemembersTheSecondPage() {
        Machine m = new Machine(-1);
        m.load(Asm.assemble(program("")));
        m.cpu.load(m.bootState());
        BlockCache cache = new BlockCache(m.cpu);
        Block b = cache.blockAt(STRADDLE);
        assertEquals(1, b.insns.length, "the straddling instruction is a block of its own");
        assertEquals(SECOND_PAGE, b.pa2);
        assertSame(b, cache.blockAt(STRADDLE), "cached, not decoded again");
    }

    @Test
    void itsBlockIsTranslatedLikeAnyOther() {
        Cpu c = new Machine(0).run64(program(""));
        assertEquals(0x44332211L, c.r[Cpu.RAX]);
        assertNotNull(c.blocks.blockAt(STRADDLE).code, "translated, not interpreted on every call");
    }

    @ParameterizedTest(name = "translation threshold {0}")
    @ValueSource(ints = {-1, 0, 2000})
    void aWriteToTheSecondPageIsSeen(int threshold) {
        Cpu c = new Machine(threshold).run64(program("movb $0x77, " + SECOND_PAGE));
        assertEquals(0x44772211L, c.r[Cpu.RAX]);
    }

    @ParameterizedTest(name = "translation threshold {0}")
    @ValueSource(ints = {-1, 0, 2000})
    void aNewMappingOfTheSecondPageIsSeen(int threshold) {
        Cpu c = new Machine(threshold).runRemapping(PageCrossingTest::program, SECOND_PAGE, 0, (byte) 0x55);
        assertEquals(0x44552211L, c.r[Cpu.RAX]);
    }
}
