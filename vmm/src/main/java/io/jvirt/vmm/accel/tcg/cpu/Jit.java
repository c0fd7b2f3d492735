package io.jvirt.vmm.accel.tcg.cpu;

import java.lang.System.Logger.Level;

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
    /** Entries before a block is translated, unless set by property. */
    static final int DEFAULT_THRESHOLD = 5000;
    /** Blocks worth translating: at least this many instructions inlined. */
    private static final int MIN_INLINED = 1;
    /** Class size above which the region is shrunk: HotSpot does not compile methods over 8000 bytecode bytes. */
    private static final int HUGE = 7000;
    private static volatile boolean failureLogged;

    private final int threshold;
    /** -Djvirt.tcg.jit.stats=true: at exit, print how much was translated and how long HotSpot compiled. */
    private static final boolean STATS_ON = Boolean.getBoolean("jvirt.tcg.jit.stats");
    private static final java.util.concurrent.atomic.LongAdder REGIONS = new java.util.concurrent.atomic.LongAdder(),
            INSNS = new java.util.concurrent.atomic.LongAdder(), NANOS = new java.util.concurrent.atomic.LongAdder();

    static {
        if (STATS_ON) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> System.err.printf(
                    "jit: %d regions translated (%d instructions) in %.1f ms; HotSpot compiled for %.1f s%n",
                    REGIONS.sum(), INSNS.sum(), NANOS.sum() / 1e6,
                    java.lang.management.ManagementFactory.getCompilationMXBean().getTotalCompilationTime() / 1e3)));
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

    /** The block's translation, translating it now if it just became hot; null to interpret it. */
    Translated translation(Block b, long lin, BlockCache cache) {
        Translated t = b.code;
        if (t != null || b.noJit) {
            return t;
        }
        if (++b.hits <= threshold) {
            return null;
        }
        if (b.mode != 64 || b.generation < 0 || Translator.inlined(b.insns) < MIN_INLINED) {
            b.noJit = true;
            return null;
        }
        try {
            long t0 = System.nanoTime();
            t = translate(b, lin, cache);
            REGIONS.increment();
            NANOS.add(System.nanoTime() - t0);

        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            if (!failureLogged) {
                failureLogged = true;
                LOG.log(Level.WARNING, "tcg: translating the block at guest-physical 0x" + Long.toHexString(b.pa)
                        + " failed; interpreting it (further failures are not logged)", e);
            }
            b.noJit = true;
            return null;
        }
        b.code = t;
        return t;
    }

    /** Translates the region of {@code b}, smaller if its class would be too large for HotSpot to compile. */
    private static Translated translate(Block b, long lin, BlockCache cache) throws ReflectiveOperationException {
        int max = Region.MAX_BLOCKS;
        for (;;) {
            Region r = Region.collect(b, lin, cache, max);
            if (r.blocks.size() > 1 && Translator.classBytes(r).length > HUGE && max > 1) {
                max = Math.max(1, Math.min(max, r.blocks.size()) / 2);
                continue;
            }
            for (Block x : r.blocks) {
                INSNS.add(x.insns.length);
            }
            return Translator.translate(r);
        }
    }
}
