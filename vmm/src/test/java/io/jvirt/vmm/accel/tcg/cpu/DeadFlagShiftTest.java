package io.jvirt.vmm.accel.tcg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Shifts and rotates by a constant whose flags are dead (the interpreter's and the translator's
 * flag-less paths: {@code Exec.group2}; {@code DataEmitter.constantShift} in line for shifts,
 * {@code JitRuntime.shiftNoFlags} for rotates): each kind, size and
 * interesting count, on values with the sign bit set and clear, must give what the SDM says
 * ({@link #sdm}; a 32-bit destination is zero-extended even for a count of 0, as this host's CPU
 * does). It found the interpreter zeroing byte rotates by 8 or more.
 */
class DeadFlagShiftTest {
    private static final String[] KINDS = {"rol", "ror", "shl", "shr", "sar"};
    private static final String[] SUFFIX = {"b", "w", "l", "q"};
    private static final String[] REG = {"%r8b", "%r8w", "%r8d", "%r8"};
    private static final int[] COUNTS = {0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 200};
    private static final long[] VALUES = {0, 1, 0x80, 0x8000_8081L, 0x8123_4567_89ab_cdefL, -1, 0x7f00_00ff_f00f_7ff1L};
    private static final long RESULTS = 0x300000;

    @Test
    void constantShiftsWithDeadFlagsMatchTheInterpreter() {
        StringBuilder src = new StringBuilder(".code64\nmov $" + RESULTS + ", %rbx\n");
        int n = 0;
        for (String kind : KINDS) {
            for (int s = 0; s < 4; s++) {
                for (int count : COUNTS) {
                    src.append("mov %rax, %r8\n");
                    src.append(count == 1 && n % 2 == 0 ? kind + SUFFIX[s] + " " + REG[s] // the D0/D1 form
                            : kind + SUFFIX[s] + " $" + count + ", " + REG[s]).append('\n');
                    src.append("cmp %r9, %r9\n"); // writes every flag: the shift's are dead
                    src.append("mov %r8, ").append(8 * n).append("(%rbx)\n");
                    n++;
                }
            }
        }
        src.append("hlt\n");
        byte[] code = Asm.assemble(src.toString());
        Machine interp = new Machine(-1);
        Machine jit = new Machine(0);
        interp.load(code);
        jit.load(code);
        for (long v : VALUES) {
            long[] want = run(interp, v, n);
            long[] got = run(jit, v, n);
            for (int i = 0; i < n; i++) {
                String what = String.format("%s%s by %d of 0x%x", KINDS[i / (4 * COUNTS.length)],
                        SUFFIX[i / COUNTS.length % 4], COUNTS[i % COUNTS.length], v);
                long sdm = sdm(i / (4 * COUNTS.length), 1 << (i / COUNTS.length % 4), COUNTS[i % COUNTS.length], v);
                assertEquals(Long.toHexString(sdm), Long.toHexString(want[i]), "interpreter: " + what);
                assertEquals(Long.toHexString(sdm), Long.toHexString(got[i]), "translated: " + what);
            }
        }
    }

    /**
     * R8 after {@code KINDS[kind]} of {@code size} bytes by {@code count} on {@code v} (SDM vol. 2B
     * RCL/RCR/ROL/ROR and SAL/SAR/SHL/SHR: count masked to 5 bits, 6 for 64-bit; rotates by it
     * modulo the width; shifts by the width or more leave 0, SAR the sign).
     */
    private static long sdm(int kind, int size, int count, long v) {
        int bits = size * 8;
        int n = count & (size == 8 ? 63 : 31);
        long m = size == 8 ? -1 : (1L << bits) - 1;
        long x = v & m;
        long r = switch (kind) {
            case 0 -> n % bits == 0 ? x : ((x << n % bits) | (x >>> (bits - n % bits))) & m;
            case 1 -> n % bits == 0 ? x : ((x >>> n % bits) | (x << (bits - n % bits))) & m;
            case 2 -> n >= bits ? 0 : (x << n) & m;
            case 3 -> n >= bits ? 0 : x >>> n;
            default -> ((x << (64 - bits)) >> (64 - bits) >> n) & m;
        };
        return size >= 4 ? r : (v & ~m) | r;
    }

    private static long[] run(Machine m, long value, int n) {
        m.cpu.load(m.bootState());
        m.cpu.r[Cpu.RAX] = value;
        m.runToHalt();
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = m.memory.readLong(RESULTS + 8L * i);
            m.memory.writeLong(RESULTS + 8L * i, 0x5a5a5a5a5a5a5a5aL);
        }
        return out;
    }
}
