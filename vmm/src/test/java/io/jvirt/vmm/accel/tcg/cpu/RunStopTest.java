package io.jvirt.vmm.accel.tcg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link CpuCore#requestStop()} from another thread: a request made before {@link Cpu#run(long)}
 * is entered still ends it, one made while it runs ends it soon, and each is consumed by the
 * {@link CpuCore.Stop#BUDGET} return it causes.
 */
class RunStopTest {

    /** A budget that never runs out in a test, and does not overflow {@code retired + budget}. */
    private static final long FOREVER = 1L << 60;

    private final Machine m = new Machine();
    private final ExecutorService thread = Executors.newSingleThreadExecutor();

    RunStopTest() {
        m.load(Asm.assemble(".code64\n1: jmp 1b\n"));
        m.cpu.load(m.bootState());
    }

    @AfterEach
    void close() {
        thread.shutdownNow();
    }

    /** run(FOREVER) on another thread; a run that does not return in time is stopped and fails the test. */
    private CpuCore.Stop runForever() throws Exception {
        Future<CpuCore.Stop> f = thread.submit(() -> m.cpu.run(FOREVER));
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            m.cpu.requestStop();
            f.get(10, TimeUnit.SECONDS);
            throw new AssertionError("run() did not return after requestStop()");
        }
    }

    @Test
    void requestBeforeRunEndsItAtOnceAndIsConsumed() throws Exception {
        m.cpu.requestStop();
        assertEquals(CpuCore.Stop.BUDGET, runForever());
        assertEquals(0, m.cpu.instructionsRetired(), "no instruction ran");
        assertEquals(CpuCore.Stop.BUDGET, m.cpu.run(1000));
        assertTrue(m.cpu.instructionsRetired() >= 1000, "the consumed request does not end the next run early: "
                + m.cpu.instructionsRetired());
    }

    @Test
    void requestDuringRunEndsIt() throws Exception {
        Future<CpuCore.Stop> f = thread.submit(() -> m.cpu.run(FOREVER));
        while (m.cpu.instructionsRetired() == 0 && !f.isDone()) {
            Thread.onSpinWait();
        }
        m.cpu.requestStop();
        assertEquals(CpuCore.Stop.BUDGET, f.get(10, TimeUnit.SECONDS));
        long before = m.cpu.instructionsRetired();
        assertEquals(CpuCore.Stop.BUDGET, m.cpu.run(1000));
        assertTrue(m.cpu.instructionsRetired() - before >= 1000, "consumed");
    }
}
