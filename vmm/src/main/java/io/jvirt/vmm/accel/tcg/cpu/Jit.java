package io.jvirt.vmm.accel.tcg.cpu;

import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

/**
 * When to translate, in two tiers. A cached 64-bit-mode block entered {@link #threshold} times
 * is translated to bytecode ({@link Translator}) as a <em>quick</em> class, which HotSpot
 * compiles with C1 only ({@link HotSpotTiers}); once that translation has been entered
 * {@link #hotThreshold} more times, the same region may be translated again as a <em>hot</em>
 * class, which HotSpot compiles with C2. C1 is cheap enough to translate thousands of regions
 * early (about 3000 in a Linux boot); C2's better code (about twice as fast in SpeedProbe, and
 * it inlines the memory fast paths) costs 20-70 ms of compiler time per region, so it is spent
 * on the regions that run most, by one of two rules:
 * <ul>
 * <li>the region loops ({@link Region#loops()}) at least {@link #MIN_LOOPS_PER_ENTRY} times per
 * entry ({@link Translated#backEdges}): a guest's compute loops;
 * <li>it was entered {@link #hotThreshold} times within {@link #hotWindowNanos}: the kernel's
 * per-page functions under sequential disk I/O, a few dozen regions entered hundreds of
 * thousands of times a second.
 * </ul>
 * A count that reaches the threshold by neither rule starts again. Without the time window,
 * every region entered often enough over a run reached C2 eventually: in bench/blk 476-702
 * regions, 33-40 s of compiler time on 2 cores, and the random phases fell round after round
 * (rand-read 7300 to 3000-4500 IOPS); with it, 49 regions, and every disk phase's median
 * gained ({@link #DEFAULT_HOT_WINDOW_MILLIS}).
 * A translation lives on its {@link Block}, so it is dropped with it when its page's
 * {@link CodePages} generation changes.
 *
 * <p>Switches: {@code -Djvirt.tcg.jit=off} runs the interpreter only;
 * {@code -Djvirt.tcg.jit.threshold=N} sets the entry count of the quick tier (0 translates
 * every block on first use, as the differential test does through {@link CpuCore#create(int,
 * io.jvirt.vmm.memory.GuestMemory, io.jvirt.vmm.devices.IoBus, io.jvirt.vmm.devices.IoBus,
 * InterruptSource, int)}); {@code -Djvirt.tcg.jit.hot=N} the further entries before the hot
 * tier (negative: never); {@code -Djvirt.tcg.jit.hotWindowMs=N} the window of the second rule
 * (0: loops only).
 */
final class Jit {
    private static final System.Logger LOG = System.getLogger(Jit.class.getName());
    /**
     * Entries before a block gets its quick translation, unless set by property. Measured on
     * 2 cores (bench/tcg-boot): with C2 compiling every region, 50000 was best, since a C2
     * compile costs 5-10 ms of CPU per region; with C1 alone a region costs well under 1 ms.
     */
    static final int DEFAULT_THRESHOLD = 2_000;
    /** Entries of a quick translation before its region is translated again for C2. */
    static final int DEFAULT_HOT = 100_000;
    /**
     * The hot tier's window: {@link #DEFAULT_HOT} entries in 500 ms, 200 000 a second. bench/blk,
     * jvirt alone, 3 interleaved runs each against loops only (median of 3 rounds): seq-write
     * 1537 -> 1773 MiB/s, seq-read 1343 -> 1739, rand-write 4763 -> 5326 IOPS, rand-read 7410 ->
     * 7617; a 1000 ms window did about as well (1822, 1695, 5245, 7423).
     */
    static final long DEFAULT_HOT_WINDOW_MILLIS = 500;
    /**
     * Backward jumps per entry, on average over those entries, that make a region worth C2.
     * In bench/blk the regions that reached the hot tier by their entry count alone during the
     * disk phases looped 0-2 times per entry, and promoted on that count (hundreds of them over
     * a run) they cost the random phases 30-45% (rand-read 5728 against 8297 IOPS with no hot
     * tier at all); the guest's {@code cpu} loop ran 256 (the {@link Translator#LOOP_LIMIT}), a
     * Linux boot's hot regions 0-16.
     */
    static final int MIN_LOOPS_PER_ENTRY = 4;
    /** Blocks worth translating: at least this many instructions inlined. */
    private static final int MIN_INLINED = 1;
    /** Class size above which the region is shrunk: HotSpot does not compile methods over 8000 bytecode bytes. */
    private static final int HUGE = 7000;
    private static volatile boolean failureLogged;

    private final int threshold;
    private final int hotThreshold;
    /** Entries of {@link #hotThreshold} within this many nanoseconds make a region hot; 0: never. */
    private final long hotWindowNanos;
    /** -Djvirt.tcg.jit.stats=true: at exit, print how much was translated and how long HotSpot compiled. */
    private static final boolean STATS_ON = Boolean.getBoolean("jvirt.tcg.jit.stats");
    private static final LongAdder REGIONS = new LongAdder(), HOT = new LongAdder(),
            INSNS = new LongAdder(), NANOS = new LongAdder();

    static {
        if (STATS_ON) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> System.err.printf(
                    "jit: %d regions translated (%d instructions; %d of them again for C2) in %.1f ms;"
                            + " HotSpot compiled for %.1f s%n",
                    REGIONS.sum(), INSNS.sum(), HOT.sum(), NANOS.sum() / 1e6,
                    ManagementFactory.getCompilationMXBean().getTotalCompilationTime() / 1e3)));
        }
    }

    private Jit(int threshold, int hotThreshold, long hotWindowNanos) {
        this.threshold = threshold;
        this.hotThreshold = hotThreshold;
        this.hotWindowNanos = hotWindowNanos;
    }

    /** The policy from system properties: null when translation is off. */
    static Jit fromProperties() {
        if ("off".equalsIgnoreCase(System.getProperty("jvirt.tcg.jit", "on"))) {
            return null;
        }
        return of(Integer.getInteger("jvirt.tcg.jit.threshold", DEFAULT_THRESHOLD),
                Integer.getInteger("jvirt.tcg.jit.hot", DEFAULT_HOT),
                Math.max(0, Long.getLong("jvirt.tcg.jit.hotWindowMs", DEFAULT_HOT_WINDOW_MILLIS)) * 1_000_000);
    }

    /** A policy with {@code threshold} entries before translation (negative: off, null) and no hot tier. */
    static Jit of(int threshold) {
        return of(threshold, -1);
    }

    /** A policy whose hot tier takes looping regions only. */
    static Jit of(int threshold, int hotThreshold) {
        return of(threshold, hotThreshold, 0);
    }

    /** A policy whose hot tier also takes regions entered {@code hotThreshold} times within {@code hotWindowNanos}. */
    static Jit of(int threshold, int hotThreshold, long hotWindowNanos) {
        return threshold < 0 ? null
                : new Jit(threshold, hotThreshold < 0 ? Integer.MAX_VALUE : hotThreshold, hotWindowNanos);
    }

    /**
     * The block's translation, if it has one. A block that just became hot is handed to the
     * translator; a quick translation entered often enough is handed over again for the hot tier.
     */
    Translated translation(Block b, long lin, BlockCache cache) {
        Translated t = b.code;
        if (t != null) {
            if (!counted(t)) {
                Region r = t.region;
                t.region = null; // once
                if (r != null) {
                    WORKER.execute(() -> translate(b, r, true));
                }
            }
            return t;
        }
        if (b.noJit || ++b.hits <= threshold) {
            return null;
        }
        b.noJit = true; // translated once, or never
        // A block of one page-straddling instruction is translated too (a region of its own,
        // Region.collect): it is entered only through its Block, which checks both pages, or
        // through chain links, which any code write or TLB change invalidates. Interpreted, it
        // cost a run-loop trip each time, ~350 000 a second under bench/blk's sequential I/O.
        if (b.mode != 64 || b.generation < 0 || Translator.inlined(b.insns) < MIN_INLINED) {
            return null;
        }
        Region r = Region.collect(b, lin, cache, Region.MAX_BLOCKS); // decoding needs this CPU's MMU: here
        if (threshold == 0) {
            translate(b, r, false); // on first use, deterministically (tests)
            return b.code;
        }
        WORKER.execute(() -> translate(b, r, false));
        return null;
    }

    /**
     * Counts an entry of translation {@code t}, from the run loop ({@link #translation}) or
     * through a chain link ({@link JitRuntime#chainIf}); false when it is due for the hot tier,
     * which only the run loop hands over.
     */
    boolean counted(Translated t) {
        Region r = t.region;
        if (r == null || ++t.hits <= hotThreshold) {
            return true;
        }
        long now = System.nanoTime();
        if (now - t.since < hotWindowNanos || r.loops() && t.backEdges >= (long) t.hits * MIN_LOOPS_PER_ENTRY) {
            return false;
        }
        // entered often over a long time, hardly looping: stays quick, looked at again later
        t.hits = 0;
        t.backEdges = 0;
        t.since = now;
        return true;
    }

    /**
     * Hot regions are translated on one background thread, so a vCPU keeps interpreting while
     * its code is turned into a class (and HotSpot's compiler threads compile it).
     */
    private static final Executor WORKER = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon().name("tcg-jit").unstarted(r));

    /**
     * Translates region {@code r} of {@code b} for the quick or the hot tier, halved until its
     * class is small enough for HotSpot to compile. The quick tier keeps the region for the hot one.
     */
    private void translate(Block b, Region r, boolean hot) {
        try {
            long t0 = System.nanoTime();
            if (!hot) {
                HotSpotTiers.install();
            }
            for (;;) {
                Translator.ClassBytes bytes = Translator.classBytes(r, hot);
                if (r.blocks.size() > 1 && bytes.bytes().length > HUGE) {
                    r = r.prefix(r.blocks.size() / 2);
                    continue;
                }
                Translated t = Translator.translate(r, bytes);
                if (!hot && hotThreshold != Integer.MAX_VALUE && (hotWindowNanos > 0 || r.loops())) {
                    t.since = System.nanoTime();
                    t.region = r;
                }
                Translated old = b.code;
                b.code = t;
                if (old != null) {
                    old.replaced = true;
                }
                break;
            }
            (hot ? HOT : REGIONS).increment();
            NANOS.add(System.nanoTime() - t0);
            if (!hot) {
                for (Block x : r.blocks) {
                    INSNS.add(x.insns.length);
                }
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            if (!failureLogged) {
                failureLogged = true;
                LOG.log(Level.WARNING, "tcg: translating the block at guest-physical 0x" + Long.toHexString(b.pa)
                        + " failed; interpreting it (further failures are not logged)", e);
            }
        }
    }
}
