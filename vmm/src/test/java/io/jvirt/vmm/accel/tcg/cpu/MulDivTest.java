package io.jvirt.vmm.accel.tcg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The 128-by-64-bit unsigned division behind DIV r/m64, against BigInteger, on seeded random and edge inputs. */
class MulDivTest {
    private static final long[] EDGES = {1, 2, 3, 0x7fffffffL, 0x80000000L, 0xffffffffL, 0x100000000L, 0x100000001L,
        Long.MAX_VALUE, Long.MIN_VALUE, -1, -2, 0xffffffff00000000L, 0x8000000000000001L};

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void divide128MatchesBigInteger(long seed) {
        Random rnd = new Random(seed);
        for (int i = 0; i < 200_000; i++) {
            long v = pick(rnd);
            if (v == 0) {
                continue;
            }
            long hi = Long.remainderUnsigned(pick(rnd), v); // DIV raises #DE unless hi < v
            long lo = pick(rnd);
            check(hi, lo, v);
        }
    }

    private static long pick(Random rnd) {
        return switch (rnd.nextInt(4)) {
            case 0 -> EDGES[rnd.nextInt(EDGES.length)];
            case 1 -> rnd.nextLong() >>> rnd.nextInt(64);
            default -> rnd.nextLong();
        };
    }

    private static void check(long hi, long lo, long v) {
        BigInteger a = unsigned(hi).shiftLeft(64).or(unsigned(lo));
        BigInteger[] qr = a.divideAndRemainder(unsigned(v));
        long q = MulDiv.divide128(hi, lo, v);
        String what = String.format("0x%x:%016x / 0x%x", hi, lo, v);
        assertEquals(qr[0].longValue(), q, what + " quotient");
        assertEquals(qr[1].longValue(), lo - q * v, what + " remainder");
    }

    private static BigInteger unsigned(long v) {
        return new BigInteger(Long.toUnsignedString(v));
    }
}
