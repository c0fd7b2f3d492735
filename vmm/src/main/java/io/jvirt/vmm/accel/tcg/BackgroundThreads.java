package io.jvirt.vmm.accel.tcg;

import io.jvirt.sys.HostThreads;

/**
 * Keeps the JVM's JIT compiler threads and jvirt's translator thread ("tcg-jit") behind the
 * vCPU threads. Under the software CPU they all want a core at the same time while a guest
 * boots; with equal priorities a vCPU on a 2-core host lost about 0.3 s of a 8 s boot to them
 * (bench/tcg-boot). C1 and the translator, which turn newly hot guest code into compiled code,
 * run at nice {@link #NICE}; C2, which recompiles what is already compiled (jvirt's own code,
 * the hot tier), at nice {@link #OPTIMIZER_NICE}, after them: 7.68 against 7.30 s to the
 * default guest's shell (5 interleaved pairs; everything at 10 as before, against 5 and 19).
 * Checked once a second for the first minute, because HotSpot starts compiler threads on
 * demand. {@code -Djvirt.tcg.backgroundNice=0} turns this off.
 */
final class BackgroundThreads {
    static final int NICE = Integer.getInteger("jvirt.tcg.backgroundNice", 5);
    /** The lowest priority there is (setpriority(2): 19). */
    static final int OPTIMIZER_NICE = Integer.getInteger("jvirt.tcg.optimizerNice", 19);
    private static final String[] NAMES = {"C1 CompilerThre", "tcg-jit"}, OPTIMIZER = {"C2 CompilerThre"};
    private static final long PERIOD_NANOS = 1_000_000_000L, WINDOW_NANOS = 60_000_000_000L;
    private static final long START = System.nanoTime();
    private static volatile long next = START;

    private BackgroundThreads() {
    }

    /** Called between vCPU slices; does its work at most once a second. */
    static void keepBehind() {
        long now = System.nanoTime();
        if (NICE <= 0 || now < next || now - START > WINDOW_NANOS) {
            return;
        }
        next = now + PERIOD_NANOS;
        HostThreads.deprioritize(NICE, NAMES);
        HostThreads.deprioritize(Math.max(NICE, OPTIMIZER_NICE), OPTIMIZER);
    }
}
