package io.jvirt.vmm.accel.tcg.cpu;

import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

/**
 * When to translate: a cached 64-bit-mode block is translated to bytecode ({@link Translator})
 * once it has been entered {@link #threshold} times; the translation lives on the
 * {@link Block}, so it is dropped with it when its page's {@link CodePages} generation changes.
 *
 * <p>Switches: {@code -Djvirt.tcg.jit=off} runs the interpreter only;
 * {@code -Djvirt.tcg.jit.threshold=N} sets the entry count (0 translates every block on first
 * use, as the differential test does through {@link CpuCore#create(int, io.jvirt.vmm.memory.GuestMemory,
 * io.jvirt.vmm.devices.IoBus, io.jvirt.vmm.devices.IoBus, InterruptSource, int)}).
 */
final class Jit {
    private static final System.Logger LOG = System.getLogger(Jit.class.getName());
    /**
     * Entries before a block is translated, unless set by property. HotSpot's compile of a
     * region costs ~5-10 ms of CPU: at 5000, ~1800 regions of a Linux boot cost 8 s of C2
     * time for no less vCPU time than at 50000 (~320 regions, 5 s of C2), measured on 2 cores.
     */
    static final int DEFAULT_THRESHOLD = 50_000;
    /** Blocks worth translating: at least this many instructions inlined. */
    private static final int MIN_INLINED = 1;
    /** Class size above which the region is shrunk: HotSpot does not compile methods over 8000 bytecode bytes. */
    private static final int HUGE = 7000;
    private static volatile boolean failureLogged;

    private final int threshold;
    /** -Djvirt.tcg.jit.stats=true: at exit, print how much was translated and how long HotSpot compiled. */
    private static final boolean STATS_ON = Boolean.getBoolean("jvirt.tcg.jit.stats");
    private static final LongAdder REGIONS = new LongAdder(),
            INSNS = new LongAdder(), NANOS = new LongAdder();

    static {
        if (STATS_ON) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> System.err.printf(
                    "jit: %d regions translated (%d instructions) in %.1f ms; HotSpot compiled for %.1f s%n",
                    REGIONS.sum(), INSNS.sum(), NANOS.sum() / 1e6,
                    ManagementFactory.getCompilationMXBean().getTotalCompilationTime() / 1e3)));
        }
    }

    private Jit(int threshold) {
        this.threshold = threshold;
    }

    /** The policy from system properties: null when translation is off. */
    static Jit fromProperties() {
        if ("off".equalsIgnoreCase(System.getProperty("jvirt.tcg.jit", "on"))) {
            return null;
        }
        return of(Integer.getInteger("jvirt.tcg.jit.threshold", DEFAULT_THRESHOLD));
    }

    /** A policy with {@code threshold} entries before translation; negative: off (null). */
    static Jit of(int threshold) {
        return threshold < 0 ? null : new Jit(threshold);
    }

    /** The block's translation, if it has one; a block that just became hot is handed to the translator. */
    Translated translation(Block b, long lin, BlockCache cache) {
        Translated t = b.code;
        if (t != null || b.noJit) {
            return t;
        }
        if (++b.hits <= threshold) {
            return null;
        }
        b.noJit = true; // translated once, or never
        if (b.mode != 64 || b.generation < 0 || Translator.inlined(b.insns) < MIN_INLINED) {
            return null;
        }
        Region r = Region.collect(b, lin, cache, Region.MAX_BLOCKS); // decoding needs this CPU's MMU: here
        if (threshold == 0) {
            translate(b, r); // on first use, deterministically (tests)
            return b.code;
        }
        WORKER.execute(() -> translate(b, r));
        return null;
    }

    /**
     * Hot regions are translated on one background thread, so a vCPU keeps interpreting while
     * its code is turned into a class (and HotSpot's compiler threads compile it).
     */
    private static final Executor WORKER = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon().name("tcg-jit").unstarted(r));

    /** Translates region {@code r} of {@code b}, halved until its class is small enough for HotSpot to compile. */
    private static void translate(Block b, Region r) {
        try {
            long t0 = System.nanoTime();
            for (;;) {
                if (r.blocks.size() > 1 && Translator.classBytes(r).length > HUGE) {
                    r = r.prefix(r.blocks.size() / 2);
                    continue;
                }
                b.code = Translator.translate(r);
                break;
            }
            REGIONS.increment();
            NANOS.add(System.nanoTime() - t0);
            for (Block x : r.blocks) {
                INSNS.add(x.insns.length);
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
