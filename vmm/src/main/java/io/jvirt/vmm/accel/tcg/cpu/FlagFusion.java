package io.jvirt.vmm.accel.tcg.cpu;

import static io.jvirt.vmm.accel.tcg.cpu.Emit.A;
import static io.jvirt.vmm.accel.tcg.cpu.Emit.B;
import static io.jvirt.vmm.accel.tcg.cpu.Emit.V;
import java.lang.classfile.CodeBuilder;

/**
 * Compare-and-branch fusion: the flags of an ADD, SUB, CMP, AND, OR, XOR or TEST that is
 * followed directly by its block's closing Jcc are not computed where it runs. The Jcc's
 * condition is computed from the operands (locals A and B) and result (V), the way a compiler
 * would compile {@code if (a < b)}, and the flags are recorded ({@link #materialize}, as lazy
 * flags) only on the paths that may observe them: region exits, and blocks of the region that do not overwrite all
 * six arithmetic flags before anything can read them or fault ({@link #killsFlags}).
 *
 * <p>Conditions on the operands (SDM vol. 1 appendix B): after SUB, CF is unsigned a &lt; b,
 * ZF is a = b, SF^OF is signed a &lt; b; after a logical operation CF = OF = 0, so every
 * condition is one on the result; after ADD, CF is unsigned r &lt; a. OF and PF conditions, and
 * the ADD conditions other than carry, zero and sign, materialize RFLAGS and test it.
 */
final class FlagFusion {
    static final int ADD = 1, SUB = 2, LOGIC = 3;

    private final Emit e;
    private final CodeBuilder cb;
    final int kind;
    final int size;
    /** The locals holding the operands and the result. */
    private final int a, b, v;

    /** A producer whose operands and result are in locals A, B and V. */
    FlagFusion(Emit e, int kind, int size) {
        this(e, kind, size, A, B, V);
    }

    FlagFusion(Emit e, int kind, int size, int a, int b, int v) {
        this.e = e;
        this.cb = e.cb;
        this.kind = kind;
        this.size = size;
        this.a = a;
        this.b = b;
        this.v = v;
    }

    /** The fusion kind of ALU operation {@code op} (/r number of group 1), or 0 (ADC, SBB: they read CF). */
    static int kindOfAlu(int op) {
        return switch (op) {
            case 0 -> ADD;
            case 5, 7 -> SUB;
            case 1, 4, 6 -> LOGIC;
            default -> 0;
        };
    }

    /** Whether condition {@code cc} is computed without materializing RFLAGS. */
    boolean fuses(int cc) {
        int c = cc >> 1;
        return switch (kind) {
            case SUB -> c != 0 && c != 5;
            case LOGIC -> c != 5;
            default -> c == 1 || c == 2 || c == 4;
        };
    }

    /** Pushes condition {@code cc} as an int 0/1 (requires {@link #fuses}). */
    void cond(int cc) {
        int c = cc >> 1;
        if (kind == LOGIC) {
            switch (c) {
                case 0, 1 -> cb.iconst_0(); // OF = CF = 0
                case 2, 3 -> zero(v); // ZF (BE: CF | ZF = ZF)
                case 4, 6 -> sign(v); // SF (L: SF ^ OF = SF)
                default -> { // LE: ZF | SF
                    zero(v);
                    sign(v);
                    cb.ior();
                }
            }
        } else if (kind == ADD) {
            switch (c) {
                case 1 -> { // CF: the masked sum is below an operand
                    loadMasked(v);
                    loadMasked(a);
                    unsignedCompare();
                    less();
                }
                case 2 -> zero(v);
                default -> sign(v);
            }
        } else {
            switch (c) {
                case 1 -> { // CF: a < b unsigned
                    loadMasked(a);
                    loadMasked(b);
                    unsignedCompare();
                    less();
                }
                case 2 -> { // ZF: a = b
                    loadMasked(a);
                    loadMasked(b);
                    cb.lcmp();
                    equal();
                }
                case 3 -> { // CF | ZF: a <= b unsigned
                    loadMasked(a);
                    loadMasked(b);
                    unsignedCompare();
                    lessOrEqual();
                }
                case 4 -> sign(v);
                case 6 -> { // SF ^ OF: a < b signed
                    loadSigned(a);
                    loadSigned(b);
                    cb.lcmp();
                    less();
                }
                default -> { // ZF | (SF ^ OF): a <= b signed
                    loadSigned(a);
                    loadSigned(b);
                    cb.lcmp();
                    lessOrEqual();
                }
            }
        }
        if ((cc & 1) != 0) {
            cb.iconst_1();
            cb.ixor();
        }
    }

    /** Leaves the flags the producer would have written as lazy flags ({@link Cpu#ccOp}). */
    void materialize() {
        e.lazyFlags(kind, kind == LOGIC ? v : a, b, size);
    }

    /**
     * Whether {@code insns} overwrite all six arithmetic flags before reading any and before
     * anything that can fault or leave translated code (so no exception frame can hold the
     * flags the fused producer skipped): register-only moves, then a register-only producer
     * that computes its flags (not one whose flags {@link FlagLiveness} found dead).
     */
    static boolean killsFlags(Insn[] insns) {
        for (Insn in : insns) {
            if (in.mem() && in.hasModrm) {
                return false;
            }
            int form = Forms.of(in);
            boolean div = (in.op == 0xf6 || in.op == 0xf7) && (in.reg & 7) >= 4;
            if (FlagLiveness.writesAll(in) && !div && !in.flagsDead && form != Forms.CALL_INTERP) {
                return true;
            }
            boolean quiet = form == Forms.MOV_RM_REG || form == Forms.MOV_REG_RM || form == Forms.MOV_REG_IMM
                    || form == Forms.MOV_RM_IMM || form == Forms.MOVZX || form == Forms.MOVSX || form == Forms.NOP;
            if (!quiet) {
                return false;
            }
        }
        return false;
    }

    // ---- bytecode pieces; each pushes an int 0/1 or consumes an lcmp result ----

    private void loadMasked(int local) {
        cb.lload(local);
        if (size != 8) {
            e.lconst(Emit.mask(size));
            cb.land();
        }
    }

    private void loadSigned(int local) {
        cb.lload(local);
        e.signExtend(size);
    }

    /** Two longs to an lcmp result as unsigned numbers (values of fewer than 8 bytes are already zero-extended). */
    private void unsignedCompare() {
        if (size == 8) {
            // x + MIN_VALUE orders unsigned values as signed ones (Long.compareUnsigned)
            e.lconst(Long.MIN_VALUE);
            cb.ladd();
            cb.lstore(Emit.T);
            e.lconst(Long.MIN_VALUE);
            cb.ladd();
            cb.lload(Emit.T);
            cb.lcmp();
            return;
        }
        cb.lcmp();
    }

    /** lcmp result r (-1, 0, 1) to 1 when r < 0. */
    private void less() {
        e.iconst(31);
        cb.iushr();
    }

    /** lcmp result r to 1 when r <= 0. */
    private void lessOrEqual() {
        cb.iconst_1();
        cb.isub();
        less();
    }

    /** lcmp result r to 1 when r = 0. */
    private void equal() {
        cb.iconst_1();
        cb.iand();
        cb.iconst_1();
        cb.ixor();
    }

    /** 1 when the masked value of {@code local} is zero. */
    private void zero(int local) {
        loadMasked(local);
        cb.lconst_0();
        cb.lcmp();
        equal();
    }

    /** The sign bit of the {@code size}-byte value of {@code local}. */
    private void sign(int local) {
        cb.lload(local);
        e.iconst(size * 8 - 1);
        cb.lushr();
        cb.l2i();
        cb.iconst_1();
        cb.iand();
    }
}
