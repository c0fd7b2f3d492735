package io.jvirt.vmm.accel.tcg;

import io.jvirt.sys.HostThreads;

/**
 * Keeps the JVM's JIT compiler threads and jvirt's translator thread ("tcg-jit") behind the
 * vCPU threads. Under the software CPU they all want a core at the same time while a guest
 * boots; with equal priorities a vCPU on a 2-core host lost about 0.3 s of a 8 s boot to them
 * (bench/tcg-boot). At nice {@link #NICE} they take what the vCPUs leave. Checked once a second
 * for the first minute, because HotSpot starts compiler threads on demand.
 * {@code -Djvirt.tcg.backgroundNice=0} turns this off.
 */
final class BackgroundThreads {
    static final int NICE = Integer.getInteger("jvirt.tcg.backgroundNice", 10);
    private static final String[] NAMES = {"C1 CompilerThre", "C2 CompilerThre", "tcg-jit"};
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
    }
}
