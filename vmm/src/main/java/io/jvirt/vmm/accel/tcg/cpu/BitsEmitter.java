package io.jvirt.vmm.accel.tcg.cpu;

import static io.jvirt.vmm.accel.tcg.cpu.Emit.A;
import static io.jvirt.vmm.accel.tcg.cpu.Emit.B;
import static io.jvirt.vmm.accel.tcg.cpu.Emit.C;
import static io.jvirt.vmm.accel.tcg.cpu.Emit.CD_CPU;
import static io.jvirt.vmm.accel.tcg.cpu.Emit.V;
import static java.lang.constant.ConstantDescs.CD_long;

import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;

/**
 * Emits the {@link Forms} of {@link Bits}' instructions that the translator inlines: CMPXCHG
 * with a memory operand and BT/BTS/BTR/BTC with an immediate bit offset, both without LOCK
 * (a LOCKed one is the interpreter's, {@link Atomic}). Part of {@link DataEmitter}, whose locals
 * A, B and V and lazy-flag bookkeeping it shares.
 */
final class BitsEmitter {
    private final Emit e;
    private final CodeBuilder cb;
    private final DataEmitter data;

    BitsEmitter(Emit e, DataEmitter data) {
        this.e = e;
        this.cb = e.cb;
        this.data = data;
    }

    /**
     * CMPXCHG r/m, reg with a memory operand, as {@code Bits.cmpxchg} runs it without LOCK:
     * the accumulator (A) against the destination (B); the destination is always written
     * (the register when they are equal, else its own value back), the accumulator takes the
     * destination when they differ, and the flags are those of CMP accumulator, destination.
     */
    void cmpxchg(Insn in, int size) {
        e.loadReg(in, Cpu.RAX, size);
        cb.lstore(A);
        e.loadRm(in, size);
        cb.lstore(B);
        Label differ = cb.newLabel(), store = cb.newLabel(), same = cb.newLabel();
        cb.lload(A);
        cb.lload(B);
        cb.lcmp();
        cb.ifne(differ);
        e.loadReg(in, in.reg, size);
        cb.lstore(V);
        cb.goto_(store);
        cb.labelBinding(differ);
        cb.lload(B);
        cb.lstore(V);
        cb.labelBinding(store);
        e.storeRm(in, size, V);
        cb.lload(A);
        cb.lload(B);
        cb.lcmp();
        cb.ifeq(same);
        e.storeReg(in, Cpu.RAX, size, B);
        cb.labelBinding(same);
        cb.lload(A);
        cb.lload(B);
        cb.lsub();
        data.maskTo(size);
        cb.lstore(V);
        data.lazyFlags(FlagFusion.SUB, size);
    }

    /**
     * BT, BTS, BTR or BTC r/m, imm8 as {@code Bits.bitTest} runs it without LOCK: CF takes the
     * bit (the offset modulo the operand's width), the other flags stay; then BTS, BTR and BTC
     * write the operand back with the bit set, cleared or flipped.
     */
    void bitImm(Insn in) {
        int size = in.osz;
        int bit = (int) (in.imm & (size * 8 - 1));
        int kind = (in.reg & 7) - 4; // 0 BT, 1 BTS, 2 BTR, 3 BTC
        e.loadRm(in, size);
        cb.lstore(A);
        cb.aload(C);
        e.flags(); // settles lazy flags: all but CF stay as they are
        e.lconst(~Cpu.CF);
        cb.land();
        cb.lload(A);
        e.iconst(bit);
        cb.lushr();
        e.lconst(1);
        cb.land();
        cb.lor();
        cb.putfield(CD_CPU, "flags", CD_long);
        if (kind == 0) {
            return;
        }
        cb.lload(A);
        switch (kind) {
            case 1 -> {
                e.lconst(1L << bit);
                cb.lor();
            }
            case 2 -> {
                e.lconst(~(1L << bit));
                cb.land();
            }
            default -> {
                e.lconst(1L << bit);
                cb.lxor();
            }
        }
        cb.lstore(V);
        e.storeRm(in, size, V);
    }
}
