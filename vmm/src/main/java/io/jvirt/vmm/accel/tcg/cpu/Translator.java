package io.jvirt.vmm.accel.tcg.cpu;

import static io.jvirt.vmm.accel.tcg.cpu.Emit.BASE;
import static io.jvirt.vmm.accel.tcg.cpu.Emit.C;
import static io.jvirt.vmm.accel.tcg.cpu.Emit.CD_CPU;
import static io.jvirt.vmm.accel.tcg.cpu.Emit.CD_INSN;
import static io.jvirt.vmm.accel.tcg.cpu.Emit.CD_LONGS;
import static io.jvirt.vmm.accel.tcg.cpu.Emit.CD_MMU;
import static io.jvirt.vmm.accel.tcg.cpu.Emit.CD_RT;
import static io.jvirt.vmm.accel.tcg.cpu.Emit.CUR;
import static io.jvirt.vmm.accel.tcg.cpu.Emit.DONE;
import static io.jvirt.vmm.accel.tcg.cpu.Emit.ITER;
import static io.jvirt.vmm.accel.tcg.cpu.Emit.LIN;
import static io.jvirt.vmm.accel.tcg.cpu.Emit.MMU;
import static io.jvirt.vmm.accel.tcg.cpu.Emit.R;
import static io.jvirt.vmm.accel.tcg.cpu.Emit.V;
import static java.lang.constant.ConstantDescs.CD_boolean;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;
import static java.lang.constant.ConstantDescs.CD_void;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;

/**
 * Translates a {@link Region} (decoded 64-bit-mode blocks of one guest page) into a hidden
 * class extending {@link Translated}, so HotSpot compiles the region as one method. Forms
 * listed in {@link Forms} are emitted inline ({@link DataEmitter} for data, here for stack and
 * control transfers); every other instruction calls the interpreter through
 * {@link JitRuntime#step}. The hidden class's data: the blocks' Insn objects, the CPU's
 * register array, then one {@link Link} per chained exit.
 *
 * <p>Each block of the region gets a label; a direct branch to another block of the region is
 * a jump to its label, anything else leaves the method with {@code c.rip} set. Backward jumps
 * are counted: after {@link #LOOP_LIMIT} ({@link #HOT_LOOP_LIMIT} in the hot tier) the method
 * returns to the run loop, which polls interrupts and the instruction budget between blocks.
 * Every other exit is a chained exit ({@link Translated}): it calls the next translation
 * itself when its link is valid, a link to a fixed address for a direct branch, a one-entry
 * cache of the last target for an interpreted instruction; after a chained call, one more link
 * continues at its return point when the callee's RET comes back there.
 */
final class Translator {
    static final int LOOP_LIMIT = 256;
    /**
     * The hot tier's limit: its loops are the guest's busiest code, and each return to the run
     * loop costs it the run loop's checks and a chained re-entry. bench/blk's {@code cpu} loop
     * (11 instructions, C2 code), 3 interleaved runs: 503/518/504 -> 528/523/508 loops a second
     * at 4096, 525/509 at 65536; the guest's interrupts wait at most 4096 of its iterations.
     */
    static final int HOT_LOOP_LIMIT = 4096;
    /**
     * Class names of the two tiers: {@link HotSpotTiers} keeps HotSpot's optimizing compiler
     * off the quick tier's classes by this name.
     */
    static final String QUICK_NAME = "TranslatedBlock", HOT_NAME = "TranslatedHot";
    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();
    private static final ClassDesc CD_TRANSLATED = ClassDesc.of(Emit.PKG + "Translated"),
            CD_LINK = ClassDesc.of(Emit.PKG + "Link");
    /**
     * One ClassFile context for all translations. Stack maps only ever merge identical types
     * here, but the generator still asks about the classes it sees: answer from a fixed table
     * instead of parsing class files from the class path on every translation.
     */
    private static final ClassFile CLASS_FILE = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(
            ClassHierarchyResolver.of(List.of(), java.util.Map.of(
                    Emit.CD_CPU, ConstantDescs.CD_Object, Emit.CD_MMU, ConstantDescs.CD_Object,
                    Emit.CD_INSN, ConstantDescs.CD_Object, CD_TRANSLATED, ConstantDescs.CD_Object,
                    CD_LINK, ConstantDescs.CD_Object,
                    ClassDesc.of(Emit.PKG + QUICK_NAME), CD_TRANSLATED, ClassDesc.of(Emit.PKG + HOT_NAME), CD_TRANSLATED))
                    .orElse(ClassHierarchyResolver.defaultResolver()).cached()));
    private static final MethodTypeDesc STEP = MethodTypeDesc.of(CD_boolean, CD_CPU, CD_INSN, CD_long, CD_long);

    private final Emit e;
    private final DataEmitter data;
    private final Region region;
    /** A class of the hot tier: its backward jumps are not counted ({@link Translated#backEdges}). */
    private final boolean hot;
    private final Label[] labels;
    /** The region's instructions: the class data's index of the register array, the first {@link Link} after it. */
    private final int insnCount;

    private Translator(CodeBuilder cb, Region region, boolean hot) {
        this.hot = hot;
        this.e = new Emit(cb);
        this.data = new DataEmitter(e);
        this.region = region;
        this.labels = new Label[region.blocks.size()];
        this.insnCount = region.code.stream().mapToInt(insns -> insns.length).sum();
        for (int k = 0; k < labels.length; k++) {
            labels[k] = cb.newLabel();
        }
    }

    /** Instructions of {@code insns} the translator inlines (the rest call the interpreter). */
    static int inlined(Insn[] insns) {
        int n = 0;
        for (Insn in : insns) {
            n += Forms.of(in) != Forms.CALL_INTERP ? 1 : 0;
        }
        return n;
    }

    /** A translation's class file and the number of its exits' {@link Link}s. */
    record ClassBytes(byte[] bytes, int sites) {
    }

    /**
     * Loads the translation of a region from its {@link #classBytes}. The class data: the
     * region's Insns in order, its CPU's register array, then one new {@link Link} per exit site.
     */
    static Translated translate(Region region, ClassBytes bytes) throws ReflectiveOperationException {
        List<Object> all = new ArrayList<>();
        for (Insn[] insns : region.code) {
            all.addAll(List.of(insns));
        }
        all.add(region.registers);
        for (int k = 0; k < bytes.sites(); k++) {
            all.add(new Link());
        }
        MethodHandles.Lookup hidden = LOOKUP.defineHiddenClassWithClassData(bytes.bytes(), List.copyOf(all), true);
        try {
            return (Translated) hidden.findConstructor(hidden.lookupClass(), MethodType.methodType(void.class)).invoke();
        } catch (ReflectiveOperationException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The class file of a region's translation, as a class of the quick or the hot tier ({@link Jit}). */
    static ClassBytes classBytes(Region region, boolean hot) {
        int[] sites = new int[1];
        byte[] bytes = CLASS_FILE.build(ClassDesc.of(Emit.PKG + (hot ? HOT_NAME : QUICK_NAME)), cl -> {
            cl.withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SUPER);
            cl.withSuperclass(CD_TRANSLATED);
            cl.withMethodBody("run", MethodTypeDesc.of(CD_void, CD_CPU), ClassFile.ACC_PUBLIC, cb -> {
                Translator t = new Translator(cb, region, hot);
                t.body();
                sites[0] = t.sites;
            });
            cl.withMethodBody(ConstantDescs.INIT_NAME, ConstantDescs.MTD_void, ClassFile.ACC_PUBLIC, cb -> {
                cb.aload(0);
                cb.invokespecial(CD_TRANSLATED, ConstantDescs.INIT_NAME, ConstantDescs.MTD_void);
                cb.return_();
            });
        });
        return new ClassBytes(bytes, sites[0]);
    }

    private void body() {
        CodeBuilder cb = e.cb;
        // The register array as a constant (Region#registers): HotSpot then knows its length
        // and drops the bounds check of every register access (and C1 the field load too).
        cb.ldc(Emit.classData(CD_LONGS, insnCount));
        cb.astore(R);
        cb.aload(C);
        cb.getfield(CD_CPU, "rip", CD_long);
        cb.lstore(BASE);
        cb.aload(C);
        cb.getfield(CD_CPU, "mmu", CD_MMU);
        cb.astore(MMU);
        cb.iconst_0();
        cb.istore(ITER);
        cb.iconst_0();
        cb.istore(DONE);
        cb.iconst_0();
        cb.istore(CUR);
        Label start = cb.newLabel(), handler = cb.newLabel();
        cb.labelBinding(start);
        int global = 0;
        for (int k = 0; k < labels.length; k++) {
            cb.labelBinding(labels[k]);
            Insn[] insns = region.code.get(k);
            block(insns, region.offsets.get(k), global);
            global += insns.length;
        }
        // Whatever an instruction throws leaves with Cpu.curRip at that instruction (Translated's contract).
        cb.labelBinding(handler);
        cb.aload(C);
        cb.lload(BASE);
        cb.iload(CUR);
        cb.i2l();
        cb.ladd();
        cb.putfield(CD_CPU, "curRip", CD_long);
        cb.athrow();
        cb.exceptionCatchAll(start, handler, handler);
        // Chained exits, outside the handler's range: what a chained translation throws is its own.
        for (Tail t : tails) {
            cb.labelBinding(t.label());
            Label back = cb.newLabel();
            chainCall(t.site(), t.target(), back);
            if (t.retSite() >= 0) {
                // a call: when the callee's RET comes back to the instruction after it, go on from there
                chainCall(t.retSite(), t.ret(), back);
            }
            cb.return_();
            cb.labelBinding(back);
            cb.pop();
            cb.return_();
        }
    }

    /**
     * Calls the translation linked at {@code site} for offset {@code target} through
     * {@link JitRuntime#chainIf} (or, with {@link #DYNAMIC}, for wherever {@code c.rip} points);
     * without one, jumps to {@code back} with the null on the stack.
     */
    private void chainCall(int site, long target, Label back) {
        CodeBuilder cb = e.cb;
        cb.aload(C);
        cb.ldc(Emit.classData(CD_LINK, insnCount + 1 + site));
        if (target == DYNAMIC) {
            cb.aload(C);
            cb.getfield(CD_CPU, "rip", CD_long);
        } else {
            e.ripAt(target);
        }
        cb.invokestatic(CD_RT, "chainIf", CHAIN);
        cb.dup();
        cb.ifnull(back);
        cb.aload(C);
        cb.invokevirtual(CD_TRANSLATED, "run", MethodTypeDesc.of(CD_void, CD_CPU));
    }

    /**
     * A chained exit: where its code is, the offset it leaves for and its link site; for a
     * call, also the offset of the instruction after it and that continuation's site (else -1).
     */
    private record Tail(Label label, long target, int site, long ret, int retSite) {
    }

    /** Link sites beyond this many return to the run loop (each costs a {@link Link}). */
    private static final int MAX_SITES = 16;
    private final List<Tail> tails = new ArrayList<>();
    private int sites;
    /**
     * Set by a CALL for the exit it ends with: the offset its callee returns to, else
     * {@link #NO_CALL} (offsets are negative for blocks before the region's entry).
     */
    private long callReturn = NO_CALL;
    private static final long NO_CALL = Long.MIN_VALUE;
    private static final MethodTypeDesc CHAIN = MethodTypeDesc.of(CD_TRANSLATED, CD_CPU, CD_LINK, CD_long);

    /** One block at {@code start} (offset from the entry); its Insns are class data from {@code global}. */
    private void block(Insn[] insns, long start, int global) {
        CodeBuilder cb = e.cb;
        int n = insns.length;
        long off = start;
        data.known = null; // a block may be entered from anywhere
        for (int i = 0; i < n; i++) {
            Insn in = insns[i];
            int form = Forms.of(in);
            e.index = i;
            e.global = global + i;
            e.off = off;
            e.next = off + in.len;
            off = e.next;
            e.curRip();
            if (form == Forms.CALL_INTERP) {
                interpret(i == n - 1);
                data.known = null;
                continue;
            }
            if (Forms.branches(form)) {
                control(in, form, start, n);
                return;
            }
            if (form >= Forms.PUSH_REG && form <= Forms.PUSH_IMM) {
                stack(in, form);
            } else {
                FlagFusion before = data.known;
                data.defer = i == n - 2 && Forms.of(insns[n - 1]) == Forms.JCC && fusable(in, form);
                data.emit(in, form);
                data.defer = false;
                if (data.known == before && !keepsFlags(in, form)) {
                    data.known = null;
                }
            }
            if (e.wrote) {
                e.codeCheck();
            }
        }
        if (Forms.of(insns[n - 1]) == Forms.CALL_INTERP) {
            e.retire(n); // the interpreter has set RIP
            exit(DYNAMIC);
            return;
        }
        cb.iinc(DONE, n);
        jump(off, start);
    }

    /** An ALU or TEST instruction whose flags its Jcc can take from the operands ({@link FlagFusion}); it must not write memory. */
    private static boolean fusable(Insn in, int form) {
        return switch (form) {
            case Forms.TEST_RM_REG, Forms.TEST_AX_IMM, Forms.TEST_RM_IMM -> true;
            case Forms.ALU_REG_RM, Forms.ALU_AX_IMM -> FlagFusion.kindOfAlu(in.op >> 3) != 0;
            case Forms.ALU_RM_REG -> FlagFusion.kindOfAlu(in.op >> 3) != 0 && (!in.mem() || in.op >> 3 == 7);
            case Forms.ALU_RM_IMM -> FlagFusion.kindOfAlu(in.reg & 7) != 0 && (!in.mem() || (in.reg & 7) == 7);
            default -> false;
        };
    }

    /**
     * Whether the translation of {@code in} leaves RFLAGS as it was (so a {@link DataEmitter#known}
     * producer stays known): moves, conditional moves and sets, pushes and pops, and the data
     * forms whose flags {@link FlagLiveness} found dead, as {@link DataEmitter} emits them.
     */
    private static boolean keepsFlags(Insn in, int form) {
        return switch (form) {
            case Forms.MOV_RM_REG, Forms.MOV_REG_RM, Forms.MOV_RM_IMM, Forms.MOV_REG_IMM, Forms.LEA, Forms.MOVZX,
                    Forms.MOVSX, Forms.NOP, Forms.CDQE_CQO, Forms.CMOV, Forms.SETCC, Forms.PUSH_REG, Forms.POP_REG,
                    Forms.PUSH_IMM -> true;
            case Forms.ALU_RM_REG, Forms.ALU_REG_RM, Forms.ALU_AX_IMM, Forms.ALU_RM_IMM, Forms.TEST_RM_REG,
                    Forms.TEST_AX_IMM, Forms.TEST_RM_IMM, Forms.IMUL_REG_RM, Forms.IMUL_IMM -> in.flagsDead;
            case Forms.INC_DEC -> DataEmitter.bareIncDec(in);
            case Forms.SHIFT -> DataEmitter.bareShift(in);
            case Forms.NOT_NEG -> (in.reg & 7) == 2;
            default -> false;
        };
    }

    /** The interpreter runs the current instruction; the region is left when it asks to, or after a block's last. */
    private void interpret(boolean last) {
        CodeBuilder cb = e.cb;
        cb.aload(C);
        e.insn();
        e.ripAt(e.off);
        e.ripAt(e.next);
        cb.invokestatic(CD_RT, "step", STEP);
        if (last) {
            cb.pop();
            return;
        }
        Label go = cb.newLabel();
        cb.ifeq(go);
        e.retire(e.index + 1);
        cb.return_();
        cb.labelBinding(go);
    }

    private void stack(Insn in, int form) {
        CodeBuilder cb = e.cb;
        switch (form) {
            case Forms.PUSH_REG -> {
                e.loadReg(in, (in.op & 7) | ((in.rex & 1) << 3), 8);
                cb.lstore(V);
                push();
            }
            case Forms.PUSH_IMM -> {
                e.lconst(in.imm);
                cb.lstore(V);
                push();
            }
            default -> { // POP_REG: RSP moves before the destination is written (pop %rsp loads the value)
                pop();
                e.storeReg(in, (in.op & 7) | ((in.rex & 1) << 3), 8, V);
            }
        }
    }

    /** Pushes local V (8 bytes; 64-bit mode, SS base 0). RSP changes only once the write succeeded. */
    private void push() {
        CodeBuilder cb = e.cb;
        e.loadReg(null, Cpu.RSP, 8);
        e.lconst(8);
        cb.lsub();
        cb.lstore(LIN);
        e.write(8, V);
        cb.aload(R);
        e.iconst(Cpu.RSP);
        cb.lload(LIN);
        cb.lastore();
    }

    /** Pops 8 bytes into local V. */
    private void pop() {
        CodeBuilder cb = e.cb;
        e.loadReg(null, Cpu.RSP, 8);
        cb.lstore(LIN);
        e.read(8);
        cb.lstore(V);
        cb.aload(R);
        e.iconst(Cpu.RSP);
        cb.lload(LIN);
        e.lconst(8);
        cb.ladd();
        cb.lastore();
    }

    /** The block's final control transfer; {@code start} is the block's offset, {@code n} its length. */
    private void control(Insn in, int form, long start, int n) {
        CodeBuilder cb = e.cb;
        switch (form) {
            case Forms.CALL_REL -> {
                e.ripAt(e.next);
                cb.lstore(V);
                push();
                if (e.wrote) {
                    e.codeCheck();
                }
                cb.iinc(DONE, n);
                callReturn = e.next;
                jump(e.next + in.imm, start);
                callReturn = NO_CALL;
            }
            case Forms.RET -> {
                // Not chained itself: a chained call's exit continues at its return point
                // (a one-entry cache of the last return address here missed too often).
                pop();
                cb.aload(C);
                cb.lload(V);
                cb.putfield(CD_CPU, "rip", CD_long);
                e.retire(n);
                cb.return_();
            }
            case Forms.JMP_REL -> {
                cb.iinc(DONE, n);
                jump(e.next + in.imm, start);
            }
            default -> { // JCC
                cb.iinc(DONE, n);
                Label fall = cb.newLabel();
                long next = e.next;
                int cc = in.op & 15;
                FlagFusion fused = data.pending;
                data.pending = null;
                if (fused != null && fused.fuses(cc)) {
                    fused.cond(cc);
                } else {
                    if (fused != null) {
                        fused.materialize();
                        fused = null;
                        data.known = null;
                    }
                    data.cond(cc);
                }
                cb.ifeq(fall);
                jump(next + in.imm, start, fused);
                cb.labelBinding(fall);
                jump(next, start, fused);
            }
        }
    }

    private void jump(long target, long from) {
        jump(target, from, null);
    }

    /**
     * Continues at {@code target} (offset from the entry) after a block at {@code from} whose
     * instructions DONE already counts: a jump inside the region, else an exit. With
     * {@code fused} flags pending, RFLAGS is written first on every path that may observe it.
     */
    private void jump(long target, long from, FlagFusion fused) {
        CodeBuilder cb = e.cb;
        int k = region.at(target);
        boolean killed = fused == null || k >= 0 && FlagFusion.killsFlags(region.code.get(k));
        if (k >= 0 && target > from) {
            if (!killed) {
                fused.materialize();
            }
            cb.goto_(labels[k]);
            return;
        }
        if (k >= 0) {
            Label out = cb.newLabel();
            if (!hot) {
                cb.aload(0);
                cb.dup();
                cb.getfield(CD_TRANSLATED, "backEdges", CD_int);
                cb.iconst_1();
                cb.iadd();
                cb.putfield(CD_TRANSLATED, "backEdges", CD_int);
            }
            cb.iinc(ITER, 1);
            cb.iload(ITER);
            e.iconst(hot ? HOT_LOOP_LIMIT : LOOP_LIMIT);
            cb.if_icmpge(out);
            if (!killed) {
                fused.materialize();
            }
            cb.goto_(labels[k]);
            cb.labelBinding(out);
        }
        if (fused != null) {
            fused.materialize();
        }
        e.setRip(target);
        e.retire(0);
        if (k < 0) {
            exit(target);
        } else {
            cb.return_(); // a loop's exit: the run loop polls interrupts
        }
    }

    /** Marks a chained exit's target as one known only at run time ({@code c.rip}). */
    private static final long DYNAMIC = Long.MIN_VALUE;

    /** Leaves the region (RIP and the retired count set) through a chained exit to {@code target} (or {@link #DYNAMIC}). */
    private void exit(long target) {
        CodeBuilder cb = e.cb;
        boolean call = callReturn != NO_CALL;
        if (sites + (call ? 2 : 1) > MAX_SITES) {
            cb.return_();
            return;
        }
        Tail t = new Tail(cb.newLabel(), target, sites++, call ? callReturn : 0, call ? sites++ : -1);
        tails.add(t);
        cb.goto_(t.label());
    }
}
