package io.jvirt.vmm.accel.tcg.cpu;

import io.jvirt.vmm.arch.x86_64.X86BootState;
import io.jvirt.vmm.devices.IoBus;
import io.jvirt.vmm.memory.GuestMemory;
import java.lang.System.Logger.Level;

/**
 * The software x86-64 CPU: architectural state and the run loop (fetch a decoded block,
 * execute it, deliver faults and interrupts at block boundaries). Instruction semantics live
 * in the Exec* classes, protection and interrupt delivery in {@link Protection}.
 */
final class Cpu implements CpuCore {
    private static final System.Logger LOG = System.getLogger(Cpu.class.getName());

    static final int RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7;
    static final int ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5;

    // RFLAGS bits (SDM vol. 1 §3.4.3)
    static final long CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, TF = 0x100, IF = 0x200, DF = 0x400,
            OF = 0x800, IOPL = 0x3000, NT = 0x4000, RF = 0x10000, VM = 0x20000, AC = 0x40000, ID = 0x200000;
    static final long ARITH = CF | PF | AF | ZF | SF | OF;
    // CR0/CR4/EFER bits (SDM vol. 3A §2.5, §2.2.1)
    static final long CR0_PE = 1, CR0_MP = 2, CR0_EM = 4, CR0_TS = 8, CR0_ET = 0x10, CR0_NE = 0x20,
            CR0_WP = 0x10000, CR0_AM = 0x40000, CR0_NW = 1L << 29, CR0_CD = 1L << 30, CR0_PG = 1L << 31;
    static final long CR4_PSE = 0x10, CR4_PAE = 0x20, CR4_PGE = 0x80, CR4_OSFXSR = 0x200, CR4_OSXMMEXCPT = 0x400;
    static final long EFER_SCE = 1, EFER_LME = 0x100, EFER_LMA = 0x400, EFER_NXE = 0x800;


    final int apicId;
    final GuestMemory memory;
    final IoBus pio;
    final InterruptSource apic;
    final Mmu mmu;
    final Decoder decoder = new Decoder(this);
    final Msrs msrs;
    final Fpu fpu = new Fpu();

    final long[] r = new long[16];
    long rip;
    /** Start of the instruction executing now (faults restart it). */
    long curRip;
    long flags = 2;
    /**
     * Lazy arithmetic flags, set by translated code only: while {@code ccOp} is not 0, the
     * arithmetic bits of RFLAGS are those of that operation ({@link FlagFusion#ADD}, SUB or
     * LOGIC) on {@code ccA} and {@code ccB} (LOGIC: its result in {@code ccA}) at {@code ccSize}
     * bytes, not those in {@link #flags}. Translated code settles them ({@link #settleFlags})
     * before it reads RFLAGS or calls the interpreter; they may stay pending from one translated
     * region to the next, and the run loop settles them before it interprets a block, before it
     * delivers an interrupt or a fault, and when {@link #run} returns.
     */
    int ccOp;
    long ccA, ccB;
    int ccSize;
    final int[] sel = new int[6];
    final long[] sbase = new long[6];
    final int[] slimit = new int[6];
    /** Descriptor attribute bits 40–55 of the descriptor: type, S, DPL, P, AVL, L, D/B, G. */
    final int[] sattr = new int[6];
    int ldtrSel, trSel, ldtrLimit, trLimit, trAttr;
    long ldtrBase, trBase;
    long gdtBase, idtBase;
    int gdtLimit, idtLimit;
    /** No CR8 here: it is the APIC's TPR[7:4] ({@link InterruptSource#taskPriority()}). */
    long cr0 = 0x60000010L, cr2, cr3, cr4, efer;
    final long[] dr = new long[8];
    int cpl;
    /** Code size: 16, 32 or 64. */
    int mode = 16;

    boolean halted;
    boolean waitSipi;
    /** An STI / MOV SS shadow covers the next instruction. */
    boolean shadow;
    boolean nmiBlocked;
    volatile boolean stopRequested;
    /** Set by a write to a page holding decoded code: the current block ends. */
    boolean codeChanged;
    /** Set by instructions that change how the following ones decode or translate. */
    boolean endBlock;
    boolean tripleFault;
    /** Instructions completed; translated blocks add theirs. */
    long retired;
    /** Blocks left before the next interrupt poll (the APIC's checks take a lock). */
    private int pollCountdown;
    private static final int POLL_INTERVAL = 8;

    final BlockCache blocks = new BlockCache(this);
    /** Translation of hot blocks to bytecode, or null (interpreter only). */
    final Jit jit;
    /** Chained calls left before translated code returns to the run loop ({@link JitRuntime#chainIf}). */
    int chainBudget;
    /** Translations entered through a chain link so far (a count for tests and measurements). */
    long chained;
    /**
     * Chained calls per run-loop trip. Each one nests a JVM frame and postpones the run loop's
     * interrupt poll, so it is bounded; 64 frames are a few kilobytes of stack and a few
     * thousand guest instructions. 8 sent 11% of bench/blk's chained exits back to the run
     * loop, each then unwinding its callers' return points through it too: 64 read +3-9% over
     * the disk phases (jvirt alone, 2 interleaved runs); 256 read the same as 64.
     */
    private static final int CHAIN_MAX = 64;
    /** The chained exit that last returned to the run loop for want of a link, and where it went. */
    private Link exitLink;
    private long exitLin;

    Cpu(int apicId, GuestMemory memory, IoBus pio, IoBus mmio, InterruptSource apic) {
        this(apicId, memory, pio, mmio, apic, Jit.fromProperties());
    }

    Cpu(int apicId, GuestMemory memory, IoBus pio, IoBus mmio, InterruptSource apic, Jit jit) {
        this.jit = jit;
        this.apicId = apicId;
        this.memory = memory;
        this.pio = pio;
        this.apic = apic;
        this.mmu = new Mmu(this, memory, mmio, apic);
        this.msrs = new Msrs(this);
        reset();
    }

    // ---- state ----

    /** Power-on / INIT state (SDM vol. 3A §9.1.1, table 9-1). */
    private void reset() {
        CpuReset.powerOn(this);
    }

    void setSegment(int s, int selector, long base, int limit, int attr) {
        sel[s] = selector;
        sbase[s] = base;
        slimit[s] = limit;
        sattr[s] = attr;
        if (s == CS) {
            updateMode();
        }
    }

    void setSegReal(int s, int selector) {
        sel[s] = selector & 0xffff;
        sbase[s] = (selector & 0xffffL) << 4;
        if (s == CS) {
            updateMode();
        }
    }

    /** Recomputes code size and CPL after CS, CR0 or EFER change. */
    void updateMode() {
        int a = sattr[CS];
        if ((efer & EFER_LMA) != 0 && (a & 0x2000) != 0) {
            mode = 64;
        } else {
            mode = (a & 0x4000) != 0 ? 32 : 16;
        }
        if ((cr0 & CR0_PE) == 0) {
            cpl = 0;
        } else if ((flags & VM) != 0) {
            cpl = 3;
        } else {
            cpl = (a >> 5) & 3;
        }
        mmu.user = cpl == 3 ? 1 : 0;
        endBlock = true;
    }

    @Override
    public void load(X86BootState b) {
        CpuReset.load(this, b);
    }

    @Override
    public void init() {
        reset();
        waitSipi = true;
        halted = true;
    }

    @Override
    public void startup(int vector) {
        if (!waitSipi) {
            return; // SIPI is ignored unless the CPU waits for it (SDM vol. 3A §10.4.4.1)
        }
        setSegReal(CS, (vector & 0xff) << 8);
        rip = 0;
        waitSipi = false;
        halted = false;
        updateMode();
    }

    @Override
    public void requestStop() {
        stopRequested = true;
    }

    @Override
    public boolean halted() {
        return halted || waitSipi;
    }

    @Override
    public long instructionsRetired() {
        return retired;
    }

    // ---- registers ----

    static long mask(int size) {
        return size == 8 ? -1L : (1L << (size * 8)) - 1;
    }

    long reg(int n, int size) {
        return switch (size) {
            case 8 -> r[n];
            case 4 -> r[n] & 0xffffffffL;
            case 2 -> r[n] & 0xffff;
            default -> r[n] & 0xff;
        };
    }

    void setReg(int n, int size, long v) {
        switch (size) {
            case 8 -> r[n] = v;
            case 4 -> r[n] = v & 0xffffffffL;
            case 2 -> r[n] = (r[n] & ~0xffffL) | (v & 0xffff);
            default -> r[n] = (r[n] & ~0xffL) | (v & 0xff);
        }
    }

    /** 8-bit register {@code n}: without REX, 4–7 are AH, CH, DH, BH. */
    long reg8(Insn in, int n) {
        if (in.rex == 0 && n >= 4 && n < 8) {
            return (r[n - 4] >>> 8) & 0xff;
        }
        return r[n] & 0xff;
    }

    void setReg8(Insn in, int n, long v) {
        if (in.rex == 0 && n >= 4 && n < 8) {
            r[n - 4] = (r[n - 4] & ~0xff00L) | ((v & 0xff) << 8);
        } else {
            r[n] = (r[n] & ~0xffL) | (v & 0xff);
        }
    }

    // ---- addressing ----

    /** Effective address (offset in the segment) of the memory operand. */
    long ea(Insn in) {
        long a = in.disp;
        if (in.base >= 0) {
            a += r[in.base];
        }
        if (in.index >= 0) {
            a += r[in.index] << in.scale;
        }
        if (in.ripRel) {
            a += rip;
        }
        return switch (in.asz) {
            case 8 -> a;
            case 4 -> a & 0xffffffffL;
            default -> a & 0xffff;
        };
    }

    /** Linear address of {@code offset} in segment {@code s}. */
    long linear(int s, long offset) {
        if (mode == 64) {
            return s >= FS ? offset + sbase[s] : offset;
        }
        return (sbase[s] + offset) & 0xffffffffL;
    }

    long addr(Insn in) {
        return linear(in.segment(), ea(in));
    }

    /** Reads the r/m operand. */
    long readRm(Insn in, int size) {
        if (in.mod == 3) {
            return size == 1 ? reg8(in, in.rm) : reg(in.rm, size);
        }
        return mmu.read(addr(in), size);
    }

    void writeRm(Insn in, int size, long v) {
        if (in.mod == 3) {
            if (size == 1) {
                setReg8(in, in.rm, v);
            } else {
                setReg(in.rm, size, v);
            }
        } else {
            mmu.write(addr(in), size, v);
        }
    }

    long readReg(Insn in, int size) {
        return size == 1 ? reg8(in, in.reg) : reg(in.reg, size);
    }

    void writeReg(Insn in, int size, long v) {
        if (size == 1) {
            setReg8(in, in.reg, v);
        } else {
            setReg(in.reg, size, v);
        }
    }

    // ---- stack ----

    int stackSize() {
        return mode == 64 ? 8 : (sattr[SS] & 0x4000) != 0 ? 4 : 2;
    }

    long sp() {
        return reg(RSP, stackSize());
    }

    void setSp(long v) {
        setReg(RSP, stackSize(), v);
    }

    void push(int size, long v) {
        int ss = stackSize();
        long nsp = (r[RSP] - size) & mask(ss);
        mmu.write(linear(SS, nsp), size, v);
        setReg(RSP, ss, nsp);
    }

    long pop(int size) {
        int ss = stackSize();
        long sp = r[RSP] & mask(ss);
        long v = mmu.read(linear(SS, sp), size);
        setReg(RSP, ss, sp + size);
        return v;
    }

    long ipMask() {
        return mode == 64 ? -1L : mode == 32 ? 0xffffffffL : 0xffff;
    }

    /** Writes pending lazy flags into {@link #flags}. */
    void settleFlags() {
        if (ccOp != 0) {
            settle();
        }
    }

    private void settle() {
        int op = ccOp;
        ccOp = 0;
        switch (op) {
            case FlagFusion.ADD -> Alu.add(this, ccA, ccB, 0, ccSize);
            case FlagFusion.SUB -> Alu.sub(this, ccA, ccB, 0, ccSize);
            default -> Alu.logic(this, ccA, ccSize);
        }
    }

    void setRflags(long v) {
        flags = (v & 0x3f7fd5L) | 2;
    }

    // ---- run loop ----

    @Override
    public Stop run(long budget) {
        try {
            return runSlice(budget);
        } finally {
            settleFlags(); // whoever looks at the registers between slices sees plain RFLAGS
        }
    }

    private Stop runSlice(long budget) {
        long end = retired + budget;
        // stopRequested is not cleared on entry: a request made just before this call still ends it.
        pollCountdown = 0;
        Block last = null; // the block run last, for chaining (BlockCache.next)
        while (true) {
            if (tripleFault) {
                return Stop.TRIPLE_FAULT;
            }
            if (waitSipi) {
                return Stop.HALTED;
            }
            try {
                if (!shadow && --pollCountdown <= 0) {
                    pollCountdown = POLL_INTERVAL;
                    curRip = rip; // a fault while delivering returns here, not to the last instruction
                    if (!nmiBlocked && apic.takeNmi()) {
                        settleFlags();
                        halted = false;
                        Protection.deliver(this, CpuFault.NMI, false, 0, Protection.EXTERNAL);
                        nmiBlocked = true;
                    } else if ((flags & IF) != 0 && apic.hasInterrupt()) {
                        int v = apic.acknowledge();
                        if (v >= 0) {
                            settleFlags();
                            halted = false;
                            Protection.deliver(this, v, false, 0, Protection.EXTERNAL);
                        }
                    }
                }
                if (stopRequested) {
                    stopRequested = false; // consumed by this return
                    return Stop.BUDGET;
                }
                if (halted) {
                    return Stop.HALTED;
                }
                if (retired >= end) {
                    return Stop.BUDGET;
                }
                last = runBlock(last);
            } catch (CpuFault f) {
                settleFlags();
                rip = curRip;
                deliverSafely(f);
                pollCountdown = 0;
            } catch (RuntimeException | StackOverflowError e) {
                LOG.log(Level.ERROR, String.format("cpu %d: internal error at rip 0x%x, delivering #UD", apicId, curRip), e);
                settleFlags();
                rip = curRip;
                deliverSafely(CpuFault.ud());
            }
        }
    }

    /** Delivers a fault; an error inside delivery itself (a bug, a failing device) stops the CPU as a triple fault. */
    private void deliverSafely(CpuFault f) {
        try {
            Protection.fault(this, f);
        } catch (RuntimeException | StackOverflowError e) {
            LOG.log(Level.ERROR, String.format("cpu %d: internal error delivering vector %d at rip 0x%x", apicId, f.vector, curRip), e);
            tripleFault = true;
        }
    }

    /**
     * What a chain link depends on besides its linear address: the TLB epoch (the address's
     * mapping), the CPL (access rights) and code writes anywhere (the target's code).
     */
    long chainState() {
        return (long) mmu.epoch << 34 | (long) cpl << 32 | mmu.code.writes & 0xffffffffL;
    }

    /** A chained exit found no valid link ({@link JitRuntime#chainIf}): the run loop links it to the next block. */
    void unlinkedExit(Link link, long target) {
        exitLink = link;
        exitLin = target;
    }

    /** Runs the block at RIP (translated when it can) and returns it; {@code prev} is the block run before it. */
    private Block runBlock(Block prev) {
        Link from = exitLink;
        exitLink = null;
        Block b = blocks.next(prev);
        if (jit != null && !shadow) {
            Translated t = jit.translation(b, rip, blocks);
            if (from != null && t != null && rip == exitLin && b.generation >= 0) {
                from.target = t;
                from.lin = rip;
                from.state = chainState();
            }
            if (t != null) {
                codeChanged = false;
                endBlock = false;
                chainBudget = CHAIN_MAX;
                t.run(this);
                if (endBlock) {
                    pollCountdown = 0;
                }
                return b;
            }
        }
        settleFlags(); // the interpreter reads RFLAGS directly
        Insn[] insns = b.insns;
        int n = insns.length;
        if (shadow) {
            n = 1;
            shadow = false;
        }
        codeChanged = false;
        endBlock = false;
        long mask = ipMask();
        for (int i = 0; i < n; i++) {
            Insn in = insns[i];
            curRip = rip;
            rip = (rip + in.len) & mask;
            if (in.fast == 0 || !FastPath.exec(this, in)) {
                Exec.exec(this, in);
            }
            retired++;
            if (codeChanged | endBlock) {
                if (endBlock) {
                    pollCountdown = 0;
                }
                break;
            }
        }
        return b;
    }

    /** Logs an unimplemented instruction once per opcode and raises #UD. */
    private static final java.util.Set<Integer> LOGGED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    CpuFault unknown(Insn in) {
        if (LOGGED.add(in.op)) {
            LOG.log(Level.WARNING, String.format("cpu %d: unimplemented instruction %s at rip 0x%x (mode %d); raising #UD",
                    apicId, in.hex(), curRip, mode));
        }
        return CpuFault.ud();
    }
}
