package io.jvirt.vmm.devices.virtio;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jvirt.sys.EventFd;
import io.jvirt.vmm.arch.x86_64.firmware.TestGuestMemory;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The software CPU's doorbell and the I/O thread that polls it: every ring is served whether it
 * finds the thread polling or asleep, and rings in quick succession cost no system call.
 */
class GuestDoorbellTest {
    private static final long VERSION_1 = 1L << 32;
    private static final long DESC = 0x10000;
    private static final long AVAIL = 0x11000;
    private static final long USED = 0x12000;
    private static final long BUF = 0x20000;
    private static final int QUEUE = 16;
    private static final int REQUESTS = 20_000;

    @ParameterizedTest(name = "longest poll window {0} µs")
    @ValueSource(ints = {0, 200})
    void everyRingIsServedWhetherTheThreadPollsOrSleeps(int pollMicros) throws Exception {
        try (TestGuestMemory mem = new TestGuestMemory(0, 1 << 20); EventFd fd = EventFd.create(true)) {
            GuestDoorbell bell = GuestDoorbell.over(fd, pollMicros * 1000L);
            VirtioMmio dev = VirtioMmio.create(VirtioDevice.rng(), mem, high -> { }, bell::ring);
            TestDriver d = new TestDriver(dev, mem);
            assertTrue(d.negotiate(VERSION_1));
            d.setupQueue(QUEUE, DESC, AVAIL, USED);
            d.driverOk();
            for (int i = 0; i < QUEUE; i++) {
                d.descriptor(DESC, i, BUF + 64L * i, 8, Virtio.VIRTQ_DESC_F_WRITE, 0);
            }
            Random random = new Random(pollMicros);
            int pauses = 0;
            try (VirtioThread thread = VirtioThread.start("virtio test", dev, bell)) {
                for (int n = 1; n <= REQUESTS; n++) {
                    d.offer(n % QUEUE);
                    d.kick();
                    long end = System.nanoTime() + 10_000_000_000L;
                    while (d.usedIdx() != (n & 0xffff)) {
                        if (System.nanoTime() > end) {
                            fail("request " + n + " was never served (used idx " + d.usedIdx() + "): a lost ring");
                        }
                        Thread.onSpinWait();
                    }
                    int r = random.nextInt(400);
                    if (r == 0) {
                        Thread.sleep(2); // longer than any window: the thread goes to sleep
                        pauses++;
                    } else if (r < 100) {
                        long until = System.nanoTime() + random.nextInt(50_000);
                        while (System.nanoTime() < until) {
                            Thread.onSpinWait();
                        }
                    }
                }
                long wakes = ((PolledDoorbell) bell).wakes();
                assertTrue(wakes >= pauses, wakes + " eventfd writes, but the thread slept " + pauses + " times");
                if (pollMicros > 0) {
                    assertTrue(wakes < REQUESTS / 10, wakes + " of " + REQUESTS + " rings wrote the eventfd while the thread polls");
                }
            }
        }
    }
}
