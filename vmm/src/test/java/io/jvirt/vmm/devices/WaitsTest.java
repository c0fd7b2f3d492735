package io.jvirt.vmm.devices;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class WaitsTest {
    @Test
    void anInterruptedWaitStillRunsToItsEndAndTheInterruptIsKept() throws Exception {
        CountDownLatch waiting = new CountDownLatch(1), release = new CountDownLatch(1);
        AtomicBoolean released = new AtomicBoolean(), stillInterrupted = new AtomicBoolean();
        Thread t = Thread.ofPlatform().start(() -> {
            Waits.uninterruptibly(() -> {
                waiting.countDown();
                release.await();
            });
            released.set(release.getCount() == 0);
            stillInterrupted.set(Thread.currentThread().isInterrupted());
        });
        assertTrue(waiting.await(10, TimeUnit.SECONDS));
        t.interrupt(); // ends the first await early; the wait starts again
        Thread.sleep(50);
        release.countDown();
        t.join(10_000);
        assertTrue(released.get(), "returned only once the wait was over");
        assertTrue(stillInterrupted.get(), "the interrupt is set again afterwards");
    }
}
