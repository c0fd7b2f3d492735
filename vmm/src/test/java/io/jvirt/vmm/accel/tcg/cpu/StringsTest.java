package io.jvirt.vmm.accel.tcg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * REP MOVS and REP STOS in both directions against a plain Java model of the SDM's element
 * loop: the page-at-a-time host copies must leave memory, RSI, RDI and RCX exactly as copying
 * one element at a time would, across page boundaries and with overlapping source and
 * destination (where the element order matters).
 */
class StringsTest {
    private static final long SRC = 0x300000, LEN = 0x3800;

    @Test
    void repMovsqBackwardsLikeTheDecompressorsRelocation() {
        check(8, 0x2000, true); // far apart
        check(8, 8, true);      // overlapping by all but one element: memmove's downward case
    }

    @Test
    void repMovsForwardsAndBackwardsAtEverySize() {
        for (int size : new int[]{1, 2, 4, 8}) {
            for (long gap : new long[]{0x1800, -0x1800, size, -size, 3}) {
                check(size, gap, false);
                check(size, gap, true);
            }
        }
    }

    @Test
    void repStosBackwards() {
        Machine m = new Machine();
        long top = SRC + LEN - 8;
        Cpu c = m.run64("mov $0x" + Long.toHexString(top) + ", %rdi\nmov $0x700, %ecx\nmov $0x5a5a5a5a5a5a5a5a, %rax\n"
                + "std\nrep stosq\ncld");
        for (long a = top - 0x700 * 8 + 8; a < top + 8; a += 8) {
            assertEquals(0x5a5a5a5a5a5a5a5aL, m.memory.readLong(a), "at 0x" + Long.toHexString(a));
        }
        assertEquals(0, m.memory.readLong(top - 0x700 * 8), "below the last element");
        assertEquals(top - 0x700 * 8, c.r[Cpu.RDI]);
        assertEquals(0, c.r[Cpu.RCX]);
    }

    /** REP STOS of a value that is not one repeated byte (memset16/32/64), at every size, both ways, across pages. */
    @Test
    void repStosOfAPatternAtEverySize() {
        for (int size : new int[]{2, 4, 8}) {
            for (boolean down : new boolean[]{false, true}) {
                Machine m = new Machine();
                long count = 0x1234 / size; // a page and a bit: the fill crosses page boundaries
                long start = SRC + 0x10 + (down ? (count - 1) * size : 0);
                String suffix = size == 2 ? "w" : size == 4 ? "l" : "q";
                Cpu c = m.run64("mov $0x" + Long.toHexString(start) + ", %rdi\nmov $0x" + Long.toHexString(count)
                        + ", %rcx\nmov $0x0123456789abcdef, %rax\n" + (down ? "std\n" : "") + "rep stos" + suffix + "\ncld");
                long v = 0x0123456789abcdefL & Cpu.mask(size);
                long lo = SRC + 0x10;
                for (long a = lo; a < lo + count * size; a += size) {
                    assertEquals(v, m.memory.readLong(a) & Cpu.mask(size), size + "-byte element at 0x" + Long.toHexString(a));
                }
                assertEquals(0, m.memory.readLong(lo - 8), "below the fill");
                assertEquals(0, m.memory.readLong(lo + count * size), "above the fill");
                assertEquals(down ? lo - size : lo + count * size, c.r[Cpu.RDI]);
                assertEquals(0, c.r[Cpu.RCX]);
            }
        }
    }

    /** Copies LEN bytes from SRC to SRC + gap with REP MOVS of {@code size} (DF = {@code down}) and compares with the model. */
    private static void check(int size, long gap, boolean down) {
        Machine m = new Machine();
        byte[] model = new byte[(int) (LEN + 2 * Math.abs(gap) + 64)];
        long base = SRC - Math.abs(gap) - 32;
        for (int i = 0; i < model.length; i++) {
            model[i] = (byte) (i * 31 + 7);
            m.memory.writeByte(base + i, model[i]);
        }
        long count = LEN / size;
        long si = down ? SRC + LEN - size : SRC;
        long di = si + gap;
        for (long k = 0; k < count; k++) { // the SDM's loop, one element at a time
            long s = si + (down ? -k : k) * size - base;
            long d = di + (down ? -k : k) * size - base;
            System.arraycopy(model, (int) s, model, (int) d, size);
        }
        String op = switch (size) {
            case 1 -> "movsb";
            case 2 -> "movsw";
            case 4 -> "movsl";
            default -> "movsq";
        };
        Cpu c = m.run64("mov $0x" + Long.toHexString(si) + ", %rsi\nmov $0x" + Long.toHexString(di) + ", %rdi\n"
                + "mov $" + count + ", %rcx\n" + (down ? "std\n" : "") + "rep " + op + "\ncld");
        String what = op + (down ? " down" : " up") + " gap " + gap;
        for (int i = 0; i < model.length; i++) {
            assertEquals(model[i], (byte) m.memory.readByte(base + i), what + ": byte at 0x" + Long.toHexString(base + i));
        }
        long moved = count * size;
        assertEquals(down ? si - moved : si + moved, c.r[Cpu.RSI], what + ": RSI");
        assertEquals(down ? di - moved : di + moved, c.r[Cpu.RDI], what + ": RDI");
        assertEquals(0, c.r[Cpu.RCX], what + ": RCX");
    }
}
