package io.jvirt.vmm.accel.tcg.cpu;

import static io.jvirt.vmm.accel.tcg.cpu.Emit.A;
import static io.jvirt.vmm.accel.tcg.cpu.Emit.B;
import static io.jvirt.vmm.accel.tcg.cpu.Emit.C;
import static io.jvirt.vmm.accel.tcg.cpu.Emit.CD_ALU;
import static io.jvirt.vmm.accel.tcg.cpu.Emit.CD_CPU;
import static io.jvirt.vmm.accel.tcg.cpu.Emit.CD_EXEC;
import static io.jvirt.vmm.accel.tcg.cpu.Emit.CD_INSN;
import static io.jvirt.vmm.accel.tcg.cpu.Emit.CD_MULDIV;
import static io.jvirt.vmm.accel.tcg.cpu.Emit.CD_RT;
import static io.jvirt.vmm.accel.tcg.cpu.Emit.R;
import static io.jvirt.vmm.accel.tcg.cpu.Emit.V;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;
import static java.lang.constant.ConstantDescs.CD_void;

import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.MethodTypeDesc;

/**
 * Emits the data-processing {@link Forms} (moves, ALU, shifts, multiplies, conditional moves)
 * as inline bytecode. ADD, SUB, CMP, AND, OR, XOR and TEST leave lazy flags (their operands,
 * {@link Cpu#ccOp}), computed only when something reads RFLAGS; the other flag writers call the
 * interpreter's own {@link Alu} helpers after settling lazy flags. When {@link FlagLiveness}
 * marked an instruction's flags dead, the bare result is computed instead, and a producer whose
 * flags only its block's Jcc reads leaves them to {@link FlagFusion}. Operand order and fault
 * points follow {@link Exec}.
 */
final class DataEmitter {
    private static final MethodTypeDesc ADD_SUB = MethodTypeDesc.of(CD_long, CD_CPU, CD_long, CD_long, CD_long, CD_int),
            INC_DEC = MethodTypeDesc.of(CD_long, CD_CPU, CD_long, CD_int),
            SHIFT = MethodTypeDesc.of(CD_long, CD_CPU, CD_int, CD_long, CD_int, CD_int),
            SHIFT_DEAD = MethodTypeDesc.of(CD_long, CD_int, CD_long, CD_int, CD_int),
            IMUL3 = MethodTypeDesc.of(CD_long, CD_CPU, CD_long, CD_long, CD_int),
            MULDIV = MethodTypeDesc.of(CD_void, CD_CPU, CD_INSN, CD_int, CD_long);

    private final Emit e;
    private final CodeBuilder cb;
    private final BitsEmitter bits;
    /** Set by the translator: the next ALU or TEST instruction's flags are left to its Jcc ({@link FlagFusion}). */
    boolean defer;
    /** What the deferred instruction left in locals A, B and V, or null. */
    FlagFusion pending;
    /**
     * The producer of the lazy flags pending now, with copies of its operands and result in
     * locals LA, LB and LV, while the translator knows the flags are still its flags (inside one
     * block, nothing since changed them); null otherwise. A SETcc, CMOVcc, Jcc, ADC or SBB then
     * takes its condition or carry from those locals instead of settling RFLAGS.
     */
    FlagFusion known;

    DataEmitter(Emit e) {
        this.e = e;
        this.cb = e.cb;
        this.bits = new BitsEmitter(e, this);
    }

    void emit(Insn in, int form) {
        int op = in.op;
        int byteOrOsz = (op & 1) == 0 ? 1 : in.osz;
        switch (form) {
            case Forms.ALU_RM_REG -> {
                e.loadRm(in, byteOrOsz);
                cb.lstore(A);
                e.loadReg(in, in.reg, byteOrOsz);
                cb.lstore(B);
                aluStoreRm(in, op >> 3, byteOrOsz);
            }
            case Forms.ALU_REG_RM -> {
                e.loadReg(in, in.reg, byteOrOsz);
                cb.lstore(A);
                e.loadRm(in, byteOrOsz);
                cb.lstore(B);
                int kind = op >> 3;
                int lazy = alu(kind, byteOrOsz, in.flagsDead);
                if (kind != 7) {
                    e.storeReg(in, in.reg, byteOrOsz, V);
                }
                lazyFlags(lazy, byteOrOsz);
            }
            case Forms.ALU_AX_IMM -> {
                e.loadReg(in, 0, byteOrOsz);
                cb.lstore(A);
                e.lconst(in.imm);
                cb.lstore(B);
                int kind = op >> 3;
                int lazy = alu(kind, byteOrOsz, in.flagsDead);
                if (kind != 7) {
                    e.storeReg(in, 0, byteOrOsz, V);
                }
                lazyFlags(lazy, byteOrOsz);
            }
            case Forms.ALU_RM_IMM -> {
                int size = op == 0x80 ? 1 : in.osz;
                e.loadRm(in, size);
                cb.lstore(A);
                e.lconst(in.imm);
                cb.lstore(B);
                aluStoreRm(in, in.reg & 7, size);
            }
            case Forms.TEST_RM_REG -> {
                if (!in.flagsDead) {
                    e.loadRm(in, byteOrOsz);
                    e.loadReg(in, in.reg, byteOrOsz);
                    logicFlags(byteOrOsz);
                }
            }
            case Forms.TEST_AX_IMM -> {
                e.loadReg(in, 0, byteOrOsz);
                e.lconst(in.imm);
                logicFlags(byteOrOsz);
            }
            case Forms.TEST_RM_IMM -> {
                e.loadRm(in, byteOrOsz);
                e.lconst(in.imm);
                logicFlags(byteOrOsz);
            }
            case Forms.MOV_RM_REG -> {
                e.loadReg(in, in.reg, byteOrOsz);
                cb.lstore(V);
                if (in.mem()) {
                    e.ea(in);
                }
                e.storeRm(in, byteOrOsz, V);
            }
            case Forms.MOV_REG_RM -> {
                e.loadRm(in, byteOrOsz);
                cb.lstore(V);
                e.storeReg(in, in.reg, byteOrOsz, V);
            }
            case Forms.MOV_RM_IMM -> {
                e.lconst(in.imm);
                cb.lstore(V);
                if (in.mem()) {
                    e.ea(in);
                }
                e.storeRm(in, byteOrOsz, V);
            }
            case Forms.MOV_REG_IMM -> {
                int n = (op & 7) | ((in.rex & 1) << 3);
                e.lconst(in.imm);
                cb.lstore(V);
                e.storeReg(in, n, op < 0xb8 ? 1 : in.osz, V);
            }
            case Forms.LEA -> {
                e.offset(in);
                cb.lstore(V);
                e.storeReg(in, in.reg, in.osz, V);
            }
            case Forms.MOVZX -> {
                e.loadRm(in, op == 0x1b6 ? 1 : 2);
                cb.lstore(V);
                e.storeReg(in, in.reg, in.osz, V);
            }
            case Forms.MOVSX -> {
                int from = op == 0x1be ? 1 : op == 0x1bf ? 2 : 4;
                e.loadRm(in, from);
                e.signExtend(from);
                cb.lstore(V);
                e.storeReg(in, in.reg, in.osz, V);
            }
            case Forms.INC_DEC -> incDec(in, op == 0xfe ? 1 : in.osz);
            case Forms.SHIFT -> shift(in, byteOrOsz);
            case Forms.MUL_DIV -> {
                e.loadRm(in, byteOrOsz);
                cb.lstore(A);
                e.settle(); // MulDiv reads and writes RFLAGS itself
                cb.aload(C);
                e.insn();
                e.iconst(byteOrOsz);
                cb.lload(A);
                cb.invokestatic(CD_MULDIV, "exec", MULDIV);
            }
            case Forms.IMUL_REG_RM -> {
                e.loadReg(in, in.reg, in.osz);
                cb.lstore(A);
                e.loadRm(in, in.osz);
                cb.lstore(B);
                imul(in);
            }
            case Forms.IMUL_IMM -> {
                e.loadRm(in, in.osz);
                cb.lstore(A);
                e.lconst(in.imm);
                cb.lstore(B);
                imul(in);
            }
            case Forms.CMOV -> {
                e.loadRm(in, in.osz);
                cb.lstore(V);
                Label skip = cb.newLabel(), done = cb.newLabel();
                cond(op & 15);
                cb.ifeq(skip);
                e.storeReg(in, in.reg, in.osz, V);
                cb.goto_(done);
                cb.labelBinding(skip);
                if (in.osz == 4) { // a 32-bit CMOV zero-extends its destination even when not taken
                    e.loadReg(in, in.reg, 4);
                    cb.lstore(V);
                    e.storeReg(in, in.reg, 4, V);
                }
                cb.labelBinding(done);
            }
            case Forms.SETCC -> {
                cond(op & 15);
                cb.i2l();
                cb.lstore(V);
                if (in.mem()) {
                    e.ea(in);
                }
                e.storeRm(in, 1, V);
            }
            case Forms.CDQE_CQO -> {
                cb.aload(R);
                e.iconst(op == 0x98 ? Cpu.RAX : Cpu.RDX);
                e.loadReg(in, Cpu.RAX, 8);
                if (op == 0x98) {
                    cb.l2i();
                    cb.i2l();
                } else {
                    e.iconst(63);
                    cb.lshr();
                }
                cb.lastore();
            }
            case Forms.NOT_NEG -> {
                e.loadRm(in, byteOrOsz);
                cb.lstore(A);
                if ((in.reg & 7) == 2) { // NOT: no flags
                    cb.lload(A);
                    e.lconst(-1);
                    cb.lxor();
                } else { // NEG: flags of 0 - a
                    cb.aload(C);
                    e.lconst(0);
                    cb.lload(A);
                    e.lconst(0);
                    e.iconst(byteOrOsz);
                    cb.invokestatic(CD_ALU, "sub", ADD_SUB);
                    e.dropLazy(); // Alu.sub wrote all six arithmetic flags
                }
                cb.lstore(V);
                e.storeRm(in, byteOrOsz, V);
            }
            case Forms.NOP -> {
            }
            case Forms.CMPXCHG -> bits.cmpxchg(in, byteOrOsz);
            case Forms.BIT_IMM -> bits.bitImm(in);
            default -> throw new IllegalStateException("not a data form: " + form);
        }
    }

    /** A op B into V, then V to r/m for all but CMP; the flags (unless dead) become lazy once the store is done. */
    private void aluStoreRm(Insn in, int kind, int size) {
        int lazy = alu(kind, size, in.flagsDead);
        if (kind != 7) {
            e.storeRm(in, size, V);
        }
        lazyFlags(lazy, size);
    }

    /**
     * The eight group-1 operations ({@link Alu#op}) on locals A and B, result in V. ADC and SBB
     * with live flags write RFLAGS through {@link Alu}; for the others, returns the
     * {@link FlagFusion} kind whose lazy flags the caller records after storing V (0: none,
     * because the flags are dead or left to the block's Jcc).
     */
    private int alu(int kind, int size, boolean dead) {
        int lazy = FlagFusion.kindOfAlu(kind);
        if (defer && lazy != 0) {
            pending = new FlagFusion(e, lazy, size);
            dead = true;
        }
        if (dead || lazy != 0) {
            cb.lload(A);
            cb.lload(B);
            switch (kind) {
                case 0 -> cb.ladd();
                case 1 -> cb.lor();
                case 2 -> {
                    cb.ladd();
                    carry();
                    cb.ladd();
                }
                case 3 -> {
                    cb.lsub();
                    carry();
                    cb.lsub();
                }
                case 4 -> cb.land();
                case 6 -> cb.lxor();
                default -> cb.lsub();
            }
            maskTo(size);
            cb.lstore(V);
            return dead ? 0 : lazy;
        }
        cb.aload(C); // ADC, SBB: they read CF
        cb.lload(A);
        cb.lload(B);
        carry();
        e.iconst(size);
        cb.invokestatic(CD_ALU, kind == 2 ? "add" : "sub", ADD_SUB);
        cb.lstore(V);
        e.dropLazy(); // Alu wrote all six flags; lazy flags still pending (carry() may not settle them) are stale
        return 0;
    }

    /** Records lazy flags of {@code kind} (0: none) for the operands A, B and result V, and keeps them {@link #known}. */
    void lazyFlags(int kind, int size) {
        if (kind != 0) {
            new FlagFusion(e, kind, size).materialize();
            if (kind != FlagFusion.LOGIC) {
                cb.lload(A);
                cb.lstore(Emit.LA);
                cb.lload(B);
                cb.lstore(Emit.LB);
            }
            cb.lload(V);
            cb.lstore(Emit.LV);
            known = new FlagFusion(e, kind, size, Emit.LA, Emit.LB, Emit.LV);
        }
    }

    /** Pushes condition {@code cc} as an int 0/1: from the {@link #known} producer when it can, else from RFLAGS. */
    void cond(int cc) {
        if (known != null && known.fuses(cc)) {
            known.cond(cc);
        } else {
            e.cond(cc);
        }
    }

    /** Consumes two longs: the flags of their AND (TEST) become lazy, or are left to the block's Jcc. */
    private void logicFlags(int size) {
        cb.land();
        maskTo(size);
        cb.lstore(V);
        if (defer) {
            pending = new FlagFusion(e, FlagFusion.LOGIC, size);
        } else {
            lazyFlags(FlagFusion.LOGIC, size);
        }
    }

    /** Pushes CF as a long 0/1. */
    private void carry() {
        if (known != null && known.fuses(2)) {
            known.cond(2);
            cb.i2l();
            return;
        }
        e.flags();
        e.lconst(Cpu.CF);
        cb.land();
    }

    void maskTo(int size) {
        if (size != 8) {
            e.lconst(Emit.mask(size));
            cb.land();
        }
    }

    /** An INC or DEC emitted without flags (they are dead and it is a register operand). */
    static boolean bareIncDec(Insn in) {
        return in.flagsDead && !in.mem();
    }

    /** A shift or rotate emitted without flags: dead flags, a register operand, not RCL/RCR (they read CF). */
    static boolean bareShift(Insn in) {
        int kind = in.reg & 7;
        return in.flagsDead && !in.mem() && kind != 2 && kind != 3;
    }

    private void incDec(Insn in, int size) {
        boolean dec = (in.reg & 7) == 1;
        e.loadRm(in, size);
        cb.lstore(A);
        if (bareIncDec(in)) {
            cb.lload(A);
            e.lconst(1);
            if (dec) {
                cb.lsub();
            } else {
                cb.ladd();
            }
            maskTo(size);
        } else {
            e.settle(); // INC and DEC keep CF
            cb.aload(C);
            cb.lload(A);
            e.iconst(size);
            cb.invokestatic(CD_ALU, dec ? "dec" : "inc", INC_DEC);
        }
        cb.lstore(V);
        e.storeRm(in, size, V);
    }

    private void shift(Insn in, int size) {
        int op = in.op;
        int kind = in.reg & 7;
        e.loadRm(in, size);
        cb.lstore(A);
        boolean dead = bareShift(in);
        if (dead && kind >= 4 && op <= 0xd1) {
            constantShift(kind, op <= 0xc1 ? (int) in.imm : 1, size);
            cb.lstore(V);
            e.storeRm(in, size, V);
            return;
        }
        if (!dead) {
            e.settle(); // a shift by 0 keeps every flag, a rotate all but CF and OF
            cb.aload(C);
            e.iconst(kind);
            cb.lload(A);
        } else {
            e.iconst(kind);
            cb.lload(A);
        }
        if (op <= 0xc1) {
            e.iconst((int) in.imm);
        } else if (op <= 0xd1) {
            e.iconst(1);
        } else {
            e.loadReg(in, Cpu.RCX, 8);
            cb.l2i();
            e.iconst(0xff);
            cb.iand();
        }
        e.iconst(size);
        if (dead) {
            cb.invokestatic(CD_RT, "shiftNoFlags", SHIFT_DEAD);
        } else {
            cb.invokestatic(CD_ALU, "shift", SHIFT);
        }
        cb.lstore(V);
        e.storeRm(in, size, V);
    }

    /**
     * Pushes SHL/SAL, SHR or SAR ({@code kind} 4, 6, 5, 7) of local A by a constant
     * {@code count}, flags dead, as {@link JitRuntime#shiftNoFlags} computes it: the count
     * masked to 5 bits (6 for 64-bit operands), shifts past the operand's width give 0
     * (SAR: its sign) (SDM vol. 2B SAL/SAR/SHL/SHR).
     */
    private void constantShift(int kind, int count, int size) {
        int n = count & (size == 8 ? 0x3f : 0x1f);
        if (n >= size * 8 && kind != 7) {
            e.lconst(0);
            return;
        }
        cb.lload(A);
        if (kind == 7) {
            e.signExtend(size);
        } else if (kind == 5) {
            maskTo(size);
        }
        if (n != 0) {
            e.iconst(n);
            if (kind == 7) {
                cb.lshr();
            } else if (kind == 5) {
                cb.lushr();
            } else {
                cb.lshl();
            }
        }
        maskTo(size);
    }

    private void imul(Insn in) {
        if (in.flagsDead) {
            cb.lload(A);
            cb.lload(B);
            cb.lmul();
        } else {
            e.settle();
            cb.aload(C);
            cb.lload(A);
            cb.lload(B);
            e.iconst(in.osz);
            cb.invokestatic(CD_EXEC, "imul3", IMUL3);
        }
        cb.lstore(V);
        e.storeReg(in, in.reg, in.osz, V);
    }
}
