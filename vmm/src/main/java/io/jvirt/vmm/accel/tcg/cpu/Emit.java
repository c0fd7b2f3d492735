package io.jvirt.vmm.accel.tcg.cpu;

import static java.lang.constant.ConstantDescs.CD_boolean;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;
import static java.lang.constant.ConstantDescs.CD_void;

import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.DynamicConstantDesc;
import java.lang.constant.MethodTypeDesc;

/**
 * Bytecode building blocks for one translated block's {@code run(Cpu)} method: guest
 * registers (the {@code Cpu.r} array, held in a local), effective addresses, memory through
 * {@link Mmu}'s TLB fast paths, RIP and retired-count bookkeeping and block exits. Guest values
 * are JVM {@code long}s throughout.
 *
 * <p>Locals: 0 this, 1 the Cpu, 2 its register array, 3 the region's entry RIP, then scratch
 * longs A, B, V (the result) and LIN (a linear address), the count of backward jumps taken
 * (ITER) and the instructions of the blocks completed so far (DONE, added to
 * {@code Cpu.retired} on exit); after them the Cpu's Mmu (MMU).
 */
final class Emit {
    static final String PKG = "io.jvirt.vmm.accel.tcg.cpu.";
    static final ClassDesc CD_CPU = ClassDesc.of(PKG + "Cpu"), CD_MMU = ClassDesc.of(PKG + "Mmu"),
            CD_INSN = ClassDesc.of(PKG + "Insn"), CD_ALU = ClassDesc.of(PKG + "Alu"),
            CD_RT = ClassDesc.of(PKG + "JitRuntime"), CD_EXEC = ClassDesc.of(PKG + "Exec"),
            CD_MULDIV = ClassDesc.of(PKG + "MulDiv"), CD_LONGS = CD_long.arrayType();
    static final int C = 1, R = 2, BASE = 3, A = 5, B = 7, V = 9, LIN = 11, ITER = 13, DONE = 14;
    /** Copies of the last lazy flag producer's operands and result ({@link DataEmitter#known}). */
    static final int LA = 15, LB = 17, LV = 19;
    /** A scratch long for {@link FlagFusion}'s unsigned compares (LIN may still hold an address). */
    static final int T = 21;
    /**
     * The current instruction's offset from the entry RIP (an int), for the method's exception
     * handler, which sets {@code Cpu.curRip} from it ({@link #curRip()}).
     */
    static final int CUR = 23;
    /**
     * The Cpu's {@link Mmu}, loaded once on entry: a field load and a pointer decode fewer
     * for each memory access of the region's compiled code.
     */
    static final int MMU = 24;

    final CodeBuilder cb;
    /**
     * The instruction being emitted: its index in its block and in the class data, and its
     * offsets from the region's entry.
     */
    int index, global;
    long off, next;
    /** The current instruction wrote memory (needs {@link #codeCheck()}). */
    boolean wrote;

    Emit(CodeBuilder cb) {
        this.cb = cb;
    }

    // ---- constants ----

    void lconst(long v) {
        cb.loadConstant(v);
    }

    void iconst(int v) {
        cb.loadConstant(v);
    }

    /** The block's {@code i}-th Insn, a constant from the hidden class's data. */
    void insn() {
        cb.ldc(classData(CD_INSN, global));
    }

    /** Element {@code index} of the hidden class's data (a List), of type {@code type}, as a constant. */
    static DynamicConstantDesc<Object> classData(ClassDesc type, int index) {
        return DynamicConstantDesc.ofNamed(ConstantDescs.BSM_CLASS_DATA_AT, ConstantDescs.DEFAULT_NAME, type, index);
    }

    // ---- registers ----

    static boolean high8(Insn in, int n, int size) {
        return size == 1 && in.rex == 0 && n >= 4 && n < 8;
    }

    /**
     * Pushes register {@code n} of {@code size} bytes (zero-extended). Partial registers
     * follow SDM vol. 1 §3.4.1.1: without REX, byte registers 4-7 are AH..BH, bits 8-15 of
     * RAX..RBX; {@link #storeReg} zero-extends 32-bit writes and merges 8- and 16-bit ones.
     */
    void loadReg(Insn in, int n, int size) {
        if (size == 8 || size == 4) {
            cb.aload(R);
            iconst(n);
            cb.laload();
            if (size == 4) {
                lconst(0xffffffffL);
                cb.land();
            }
            return;
        }
        boolean high = high8(in, n, size);
        cb.aload(R);
        iconst(high ? n - 4 : n);
        cb.laload();
        if (high) {
            iconst(8);
            cb.lushr();
        }
        lconst(mask(size));
        cb.land();
    }

    /** Writes local {@code from} to register {@code n} with x86's partial-register rules. */
    void storeReg(Insn in, int n, int size, int from) {
        boolean high = high8(in, n, size);
        int slot = high ? n - 4 : n; // AH..BH are bits 8-15 of RAX..RBX
        cb.aload(R);
        iconst(slot);
        if (size == 8 || size == 4) {
            cb.lload(from);
            if (size == 4) {
                lconst(0xffffffffL);
                cb.land();
            }
            cb.lastore();
            return;
        }
        // 8- and 16-bit writes merge: (r & ~field) | (value & mask) << shift
        int shift = high ? 8 : 0;
        cb.aload(R);
        iconst(slot);
        cb.laload();
        lconst(~(mask(size) << shift));
        cb.land();
        cb.lload(from);
        lconst(mask(size));
        cb.land();
        if (shift != 0) {
            iconst(shift);
            cb.lshl();
        }
        cb.lor();
        cb.lastore();
    }

    // ---- memory ----

    /** Computes the linear address of the memory operand into LIN ({@code Cpu.addr} in 64-bit mode). */
    void ea(Insn in) {
        offset(in);
        int s = in.segment();
        if (s >= Cpu.FS) {
            cb.aload(C);
            cb.getfield(CD_CPU, "sbase", CD_LONGS);
            iconst(s);
            cb.laload();
            cb.ladd();
        }
        cb.lstore(LIN);
    }

    /** Pushes the memory operand's offset in its segment ({@code Cpu.ea}, what LEA computes). */
    void offset(Insn in) {
        lconst(in.disp);
        if (in.base >= 0) {
            cb.aload(R);
            iconst(in.base);
            cb.laload();
            cb.ladd();
        }
        if (in.index >= 0) {
            cb.aload(R);
            iconst(in.index);
            cb.laload();
            if (in.scale != 0) {
                iconst(in.scale);
                cb.lshl();
            }
            cb.ladd();
        }
        if (in.ripRel) {
            ripAt(next);
            cb.ladd();
        }
        if (in.asz == 4) {
            lconst(0xffffffffL);
            cb.land();
        }
    }

    /** Pushes the zero-extended {@code size}-byte value at LIN (through the size's own TLB fast path). */
    void read(int size) {
        cb.aload(MMU);
        cb.lload(LIN);
        if (size == 8) {
            cb.invokevirtual(CD_MMU, "read64", MethodTypeDesc.of(CD_long, CD_long));
            return;
        }
        cb.invokevirtual(CD_MMU, "read" + size * 8, MethodTypeDesc.of(CD_int, CD_long));
        cb.i2l();
        if (size == 4) {
            lconst(0xffffffffL);
            cb.land();
        }
    }

    /** Writes local {@code from} to LIN; the instruction must end with {@link #codeCheck()}. */
    void write(int size, int from) {
        cb.aload(MMU);
        cb.lload(LIN);
        cb.lload(from);
        if (size == 8) {
            cb.invokevirtual(CD_MMU, "write64", MethodTypeDesc.of(CD_void, CD_long, CD_long));
        } else {
            cb.l2i();
            cb.invokevirtual(CD_MMU, "write" + size * 8, MethodTypeDesc.of(CD_void, CD_long, CD_int));
        }
        wrote = true;
    }

    /** After an instruction that wrote memory: a write into decoded code ends the block here. */
    void codeCheck() {
        wrote = false;
        Label go = cb.newLabel();
        cb.aload(C);
        cb.getfield(CD_CPU, "codeChanged", CD_boolean);
        cb.ifeq(go);
        exitTo(next);
        cb.labelBinding(go);
    }

    /** Reads operand r/m of {@code size} bytes (register, or memory at a freshly computed LIN). */
    void loadRm(Insn in, int size) {
        if (in.mem()) {
            ea(in);
            read(size);
        } else {
            loadReg(in, in.rm, size);
        }
    }

    /** Writes local {@code from} to r/m; for memory, LIN must hold the address already. */
    void storeRm(Insn in, int size, int from) {
        if (in.mem()) {
            write(size, from);
        } else {
            storeReg(in, in.rm, size, from);
        }
    }

    // ---- RIP, flags, exits ----

    /** Pushes the linear address at {@code offset} bytes from the block's entry RIP. */
    void ripAt(long offset) {
        cb.lload(BASE);
        if (offset != 0) {
            lconst(offset);
            cb.ladd();
        }
    }

    /**
     * Marks the current instruction as the one executing (faults restart it). Only the
     * method's catch-all handler reads CUR, to set {@code Cpu.curRip} before the exception
     * leaves: a constant kept in a local costs HotSpot's compiled code nothing where nothing
     * throws, where a field store before every memory access cost four instructions.
     */
    void curRip() {
        iconst((int) off);
        cb.istore(CUR);
    }

    void setRip(long offset) {
        cb.aload(C);
        ripAt(offset);
        cb.putfield(CD_CPU, "rip", CD_long);
    }

    /** Adds the completed blocks' instructions plus {@code extra} to {@code Cpu.retired}. */
    void retire(int extra) {
        cb.aload(C);
        cb.dup();
        cb.getfield(CD_CPU, "retired", CD_long);
        cb.iload(DONE);
        if (extra != 0) {
            iconst(extra);
            cb.iadd();
        }
        cb.i2l();
        cb.ladd();
        cb.putfield(CD_CPU, "retired", CD_long);
    }

    /** Leaves the region after the current instruction, continuing at {@code offset} from the entry RIP. */
    void exitTo(long offset) {
        setRip(offset);
        retire(index + 1);
        cb.return_();
    }

    /** Pushes the flags word (settling lazy flags first). */
    void flags() {
        settle();
        settledFlags();
    }

    /** Writes pending lazy flags into {@code Cpu.flags} ({@code Cpu.settleFlags}). */
    void settle() {
        cb.aload(C);
        cb.invokevirtual(CD_CPU, "settleFlags", MethodTypeDesc.of(CD_void));
    }

    /** Makes the flags lazy: operation {@code op} on locals {@code a} and {@code b} (LOGIC: result in {@code a}). */
    void lazyFlags(int op, int a, int b, int size) {
        cb.aload(C);
        iconst(op);
        cb.putfield(CD_CPU, "ccOp", CD_int);
        cb.aload(C);
        cb.lload(a);
        cb.putfield(CD_CPU, "ccA", CD_long);
        if (op != FlagFusion.LOGIC) {
            cb.aload(C);
            cb.lload(b);
            cb.putfield(CD_CPU, "ccB", CD_long);
        }
        cb.aload(C);
        iconst(size);
        cb.putfield(CD_CPU, "ccSize", CD_int);
    }

    /** Drops pending lazy flags: the helper just called wrote all six arithmetic flags itself. */
    void dropLazy() {
        cb.aload(C);
        cb.iconst_0();
        cb.putfield(CD_CPU, "ccOp", CD_int);
    }

    /**
     * Pushes Jcc/SETcc/CMOVcc condition {@code cc} as an int 0/1, computed inline from the
     * flags word (SDM vol. 1 appendix B): a single flag, CF|ZF, SF^OF, or ZF|(SF^OF); odd
     * {@code cc} negates. Lazy flags are settled once, first.
     */
    void cond(int cc) {
        settle();
        switch (cc >> 1) {
            case 0 -> flagBit(11); // OF
            case 1 -> flagBit(0); // CF
            case 2 -> flagBit(6); // ZF
            case 4 -> flagBit(7); // SF
            case 5 -> flagBit(2); // PF
            case 3 -> { // CF | ZF
                settledFlags();
                lconst(Cpu.CF | Cpu.ZF);
                cb.land();
                cb.lconst_0();
                cb.lcmp(); // 0 or 1: the masked flags are never negative
            }
            case 6 -> lessThan();
            default -> { // ZF | (SF ^ OF)
                lessThan();
                flagBit(6);
                cb.ior();
            }
        }
        if ((cc & 1) != 0) {
            cb.iconst_1();
            cb.ixor();
        }
    }

    /** Pushes the flags word as it is (lazy flags already settled). */
    private void settledFlags() {
        cb.aload(C);
        cb.getfield(CD_CPU, "flags", CD_long);
    }

    /** Pushes settled flags bit {@code bit} as an int 0/1. */
    private void flagBit(int bit) {
        settledFlags();
        iconst(bit);
        cb.lushr();
        cb.l2i();
        cb.iconst_1();
        cb.iand();
    }

    /** Pushes SF ^ OF (signed less-than) of the settled flags as an int 0/1. */
    private void lessThan() {
        settledFlags();
        cb.dup2();
        iconst(4); // OF (bit 11) onto SF (bit 7)
        cb.lushr();
        cb.lxor();
        iconst(7);
        cb.lushr();
        cb.l2i();
        cb.iconst_1();
        cb.iand();
    }

    /** Sign-extends the long on the stack from its low {@code size} bytes ({@link Alu#sext}). */
    void signExtend(int size) {
        if (size == 8) {
            return;
        }
        cb.l2i();
        if (size == 1) {
            cb.i2b();
        } else if (size == 2) {
            cb.i2s();
        }
        cb.i2l();
    }

    static long mask(int size) {
        return Cpu.mask(size);
    }
}
