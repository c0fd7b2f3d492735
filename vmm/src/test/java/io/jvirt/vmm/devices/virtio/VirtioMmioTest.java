package io.jvirt.vmm.devices.virtio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.vmm.arch.x86_64.firmware.TestGuestMemory;
import io.jvirt.vmm.devices.IrqLine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** virtio-rng over the virtio-mmio transport, driven the way Linux's virtio_mmio driver does. */
class VirtioMmioTest {
    private static final long VERSION_1 = 1L << 32;
    private static final long INDIRECT = 1L << 28;
    private static final long EVENT_IDX = 1L << 29;
    private static final long DESC = 0x10000;
    private static final long AVAIL = 0x11000;
    private static final long USED = 0x12000;
    private static final long BUF = 0x20000;

    private TestGuestMemory mem;
    private VirtioMmio dev;
    private TestDriver drv;
    private boolean irq;
    private int irqChanges;

    @BeforeEach
    void setUp() {
        mem = new TestGuestMemory(0, 1 << 20);
        dev = VirtioMmio.create(VirtioDevice.rng(), mem, new IrqLine() {
            @Override
            public void set(boolean high) {
                irq = high;
                irqChanges++;
            }
        });
        drv = new TestDriver(dev, mem);
    }

    @AfterEach
    void tearDown() {
        mem.close();
    }

    private void ready(long features) {
        assertTrue(drv.negotiate(features));
        drv.setupQueue(16, DESC, AVAIL, USED);
        assertEquals(1, drv.read(MmioTransport.QUEUE_READY));
        drv.driverOk();
    }

    @Test
    void identifiesAsVersion2EntropyDevice() {
        assertEquals(0x74726976, drv.read(MmioTransport.MAGIC_VALUE));
        assertEquals(2, drv.read(MmioTransport.VERSION));
        assertEquals(4, drv.read(MmioTransport.DEVICE_ID));
        assertEquals(VERSION_1 | INDIRECT | EVENT_IDX, drv.deviceFeatures());
        for (int sel : new int[] {2, -1, 0x7fffffff}) {
            drv.write(MmioTransport.DEVICE_FEATURES_SEL, sel);
            assertEquals(0, drv.read(MmioTransport.DEVICE_FEATURES), "no feature bits in word " + sel);
        }
        drv.write(MmioTransport.QUEUE_SEL, 0);
        assertEquals(256, drv.read(MmioTransport.QUEUE_NUM_MAX));
        drv.write(MmioTransport.QUEUE_SEL, 1);
        assertEquals(0, drv.read(MmioTransport.QUEUE_NUM_MAX), "no queue 1");
        assertEquals(-1, drv.read(MmioTransport.SHM_LEN_LOW), "no shared memory region");
        assertEquals(0, dev.read(MmioTransport.MAGIC_VALUE, 2), "16-bit control register reads are not allowed");
    }

    @Test
    void refusesLegacyDriversAndUnofferedFeatures() {
        assertFalse(drv.negotiate(0), "VERSION_1 is required");
        assertFalse(drv.negotiate(VERSION_1 | (1L << 40)), "RING_RESET is not offered");
        assertTrue(drv.negotiate(VERSION_1));
    }

    @Test
    void fillsWritableBuffersWithEntropyAndInterrupts() {
        ready(VERSION_1);
        drv.descriptor(DESC, 0, BUF, 64, Virtio.VIRTQ_DESC_F_WRITE | Virtio.VIRTQ_DESC_F_NEXT, 1);
        drv.descriptor(DESC, 1, BUF + 0x1000, 32, Virtio.VIRTQ_DESC_F_WRITE, 0);
        drv.offer(0);
        drv.kick();
        assertEquals(1, drv.usedIdx());
        assertArrayEquals(new int[] {0, 96}, drv.usedElem(0));
        assertNotEquals(0, java.util.Arrays.hashCode(mem.read(BUF, 64)) - java.util.Arrays.hashCode(new byte[64]));
        assertTrue(irq, "used-buffer interrupt");
        assertEquals(MmioTransport.INT_USED_BUFFER, drv.read(MmioTransport.INTERRUPT_STATUS));
        drv.write(MmioTransport.INTERRUPT_ACK, MmioTransport.INT_USED_BUFFER);
        assertFalse(irq);
        assertEquals(0, drv.read(MmioTransport.INTERRUPT_STATUS));
    }

    @Test
    void notificationFromAnIoThreadAndMachineReset() throws InterruptedException {
        ready(VERSION_1);
        drv.descriptor(DESC, 0, BUF, 8, Virtio.VIRTQ_DESC_F_WRITE, 0);
        drv.offer(0);
        Thread io = Thread.ofPlatform().start(() -> dev.notifyQueue(0)); // as an ioeventfd thread would
        io.join();
        assertArrayEquals(new int[] {0, 8}, drv.usedElem(0));
        assertTrue(irq);
        dev.notifyQueue(-1);
        dev.notifyQueue(7);
        dev.reset();
        assertEquals(0, dev.status());
        assertFalse(irq);
        assertEquals(0, drv.read(MmioTransport.QUEUE_READY));
    }

    @Test
    void indirectChains() {
        ready(VERSION_1 | INDIRECT);
        long table = 0x30000;
        drv.descriptor(table, 0, BUF, 16, Virtio.VIRTQ_DESC_F_WRITE | Virtio.VIRTQ_DESC_F_NEXT, 1);
        drv.descriptor(table, 1, BUF + 0x100, 16, Virtio.VIRTQ_DESC_F_WRITE, 0);
        drv.descriptor(DESC, 3, table, 32, Virtio.VIRTQ_DESC_F_INDIRECT, 0);
        drv.offer(3);
        drv.kick();
        assertArrayEquals(new int[] {3, 32}, drv.usedElem(0));
    }

    @Test
    void indirectWithoutTheFeatureFailsOnlyThatRequest() {
        ready(VERSION_1);
        drv.descriptor(DESC, 0, 0x30000, 32, Virtio.VIRTQ_DESC_F_INDIRECT, 0);
        drv.descriptor(DESC, 1, BUF, 8, Virtio.VIRTQ_DESC_F_WRITE, 0);
        drv.offer(0);
        drv.offer(1);
        drv.kick();
        assertEquals(2, drv.usedIdx());
        assertArrayEquals(new int[] {0, 0}, drv.usedElem(0));
        assertArrayEquals(new int[] {1, 8}, drv.usedElem(1));
        assertEquals(0, dev.status() & Virtio.DEVICE_NEEDS_RESET);
    }

    @Test
    void bufferOutsideRamFailsThatRequestAndTheDeviceGoesOn() {
        ready(VERSION_1);
        drv.descriptor(DESC, 0, (1 << 20) - 8, 16, Virtio.VIRTQ_DESC_F_WRITE, 0); // runs off the end of RAM
        drv.descriptor(DESC, 1, 0xfee00000L, 16, Virtio.VIRTQ_DESC_F_WRITE, 0);  // the LAPIC, not RAM
        drv.descriptor(DESC, 2, BUF, 4, Virtio.VIRTQ_DESC_F_WRITE | Virtio.VIRTQ_DESC_F_NEXT, 2); // loops on itself
        drv.descriptor(DESC, 3, BUF, 4, Virtio.VIRTQ_DESC_F_WRITE, 0);
        for (int h = 0; h < 4; h++) {
            drv.offer(h);
        }
        drv.kick();
        assertEquals(4, drv.usedIdx());
        for (int h = 0; h < 3; h++) {
            assertArrayEquals(new int[] {h, 0}, drv.usedElem(h));
        }
        assertArrayEquals(new int[] {3, 4}, drv.usedElem(3));
    }

    @Test
    void corruptAvailableIndexSetsDeviceNeedsResetAndResetRecovers() {
        ready(VERSION_1);
        mem.writeShort(AVAIL + 2, (short) 1000); // 1000 new entries in a 16-entry ring
        drv.kick();
        assertEquals(Virtio.DEVICE_NEEDS_RESET, dev.status() & Virtio.DEVICE_NEEDS_RESET);
        assertEquals(MmioTransport.INT_CONFIG_CHANGE, drv.read(MmioTransport.INTERRUPT_STATUS));
        assertTrue(irq);
        drv.write(MmioTransport.STATUS, 0);
        assertEquals(0, dev.status());
        assertFalse(irq, "reset lowers the interrupt");
        ready(VERSION_1);
        drv.descriptor(DESC, 0, BUF, 8, Virtio.VIRTQ_DESC_F_WRITE, 0);
        drv.offer(0);
        drv.kick();
        assertArrayEquals(new int[] {0, 8}, drv.usedElem(0));
    }

    @Test
    void badHeadIndexSetsDeviceNeedsReset() {
        ready(VERSION_1);
        drv.offer(16);
        drv.kick();
        assertEquals(Virtio.DEVICE_NEEDS_RESET, dev.status() & Virtio.DEVICE_NEEDS_RESET);
    }

    @Test
    void queueOutsideRamIsRefused() {
        assertTrue(drv.negotiate(VERSION_1));
        drv.write(MmioTransport.QUEUE_SEL, 0);
        drv.write(MmioTransport.QUEUE_NUM, 16);
        drv.write(MmioTransport.QUEUE_DESC_LOW, (1 << 20) - 128); // 256 bytes of table from 1 MiB - 128
        drv.write(MmioTransport.QUEUE_DRIVER_LOW, AVAIL);
        drv.write(MmioTransport.QUEUE_DEVICE_LOW, USED);
        drv.write(MmioTransport.QUEUE_READY, 1);
        assertEquals(0, drv.read(MmioTransport.QUEUE_READY));
        assertEquals(Virtio.DEVICE_NEEDS_RESET, dev.status() & Virtio.DEVICE_NEEDS_RESET);
    }

    @Test
    void noInterruptFlagAndEventIndexSuppressInterrupts() {
        ready(VERSION_1);
        mem.writeShort(AVAIL, (short) Virtio.VIRTQ_AVAIL_F_NO_INTERRUPT);
        drv.descriptor(DESC, 0, BUF, 8, Virtio.VIRTQ_DESC_F_WRITE, 0);
        drv.offer(0);
        drv.kick();
        assertEquals(1, drv.usedIdx());
        assertFalse(irq, "VIRTQ_AVAIL_F_NO_INTERRUPT");

        ready(VERSION_1 | EVENT_IDX);
        long usedEvent = AVAIL + 4 + 2 * 16;
        mem.writeShort(usedEvent, (short) 1); // interrupt only when used idx passes 1 -> 2
        drv.descriptor(DESC, 0, BUF, 8, Virtio.VIRTQ_DESC_F_WRITE, 0);
        drv.offer(0);
        drv.kick();
        assertFalse(irq, "used idx 1 does not cross used_event 1");
        assertEquals(1, mem.readShort(USED + 4 + 8 * 16), "avail_event tells the driver to kick at the next buffer");
        drv.offer(0);
        drv.kick();
        assertTrue(irq, "used idx 2 crosses used_event 1");
    }

    @Test
    void configSpaceReachesTheDeviceWithinItsSizeOnly() {
        long[] config = {0x1122334455667788L};
        VirtioMmio cfgDev = VirtioMmio.create(new VirtioDevice() {
            @Override
            public int deviceId() {
                return 0x7f;
            }

            @Override
            public long features() {
                return 1L << 5;
            }

            @Override
            public int queueCount() {
                return 1;
            }

            @Override
            public int queueMaxSize() {
                return 8;
            }

            @Override
            public int configSize() {
                return 8;
            }

            @Override
            public long readConfig(int offset, int size) {
                long v = config[0] >>> (8 * offset);
                return size == 8 ? v : v & ((1L << (8 * size)) - 1);
            }

            @Override
            public void writeConfig(int offset, int size, long value) {
                config[0] = value << (8 * offset);
            }

            @Override
            public void process(int index, VirtioQueue queue) {
            }
        }, mem, high -> { });
        assertEquals(0x55667788L, cfgDev.read(0x100, 4));
        assertEquals(0x44L, cfgDev.read(0x104, 1));
        assertEquals(0, cfgDev.read(0x106, 4), "past the end of config space");
        cfgDev.write(0x100, 2, 0xabcd);
        assertEquals(0xabcdL, config[0]);
        cfgDev.write(0x107, 2, 0xffff); // straddles the end: ignored
        assertEquals(0xabcdL, config[0]);
        TestDriver d = new TestDriver(cfgDev, mem);
        assertEquals((1L << 5) | VERSION_1 | INDIRECT | EVENT_IDX, d.deviceFeatures());
        assertTrue(d.negotiate(VERSION_1 | (1L << 5)));
    }

    @Test
    void configChangeBumpsGeneration() {
        ready(VERSION_1);
        int gen = drv.read(MmioTransport.CONFIG_GENERATION);
        dev.configChanged();
        assertEquals(gen + 1, drv.read(MmioTransport.CONFIG_GENERATION));
        assertEquals(MmioTransport.INT_CONFIG_CHANGE, drv.read(MmioTransport.INTERRUPT_STATUS));
        assertTrue(irq);
    }

    @Test
    void withADoorbellQueueNotifyOnlyRingsItAndTheIoThreadDoesTheWork() throws Exception {
        java.util.concurrent.atomic.AtomicInteger rings = new java.util.concurrent.atomic.AtomicInteger();
        java.util.List<Boolean> levels = new java.util.concurrent.CopyOnWriteArrayList<>();
        VirtioMmio bell = VirtioMmio.create(VirtioDevice.rng(), mem, levels::add, rings::incrementAndGet);
        TestDriver d = new TestDriver(bell, mem);
        assertTrue(d.negotiate(VERSION_1));
        d.setupQueue(16, DESC, AVAIL, USED);
        d.driverOk();
        d.descriptor(DESC, 0, BUF, 8, Virtio.VIRTQ_DESC_F_WRITE, 0);
        d.offer(0);
        d.kick();
        assertEquals(1, rings.get(), "the write rang the doorbell");
        assertEquals(0, d.usedIdx(), "and did no work on the writing (vCPU) thread");
        assertEquals(new VirtioMmio.Counters(1, 0), bell.counters());
        try (io.jvirt.sys.EventFd doorbell = io.jvirt.sys.EventFd.create(true);
             io.jvirt.sys.EventFd resample = io.jvirt.sys.EventFd.create(true);
             VirtioThread thread = VirtioThread.start("virtio test", bell, doorbell, java.util.Optional.of(resample))) {
            doorbell.write(1); // what KVM does for an ioeventfd, or the transport's doorbell under tcg
            long end = System.nanoTime() + 10_000_000_000L;
            while (d.usedIdx() == 0 && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            assertArrayEquals(new int[] {0, 8}, d.usedElem(0), "the I/O thread filled the buffer");
            assertEquals(1, thread.doorbells());
            assertEquals(java.util.List.of(true), levels, "one raise for the used buffer");
            resample.write(1); // the guest EOIed without acking: still pending, so raised again
            while (levels.size() < 2 && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            assertEquals(java.util.List.of(true, true), levels);
            d.write(MmioTransport.INTERRUPT_ACK, d.read(MmioTransport.INTERRUPT_STATUS));
            bell.resample(); // acked: nothing pending, the line stays low
            assertEquals(java.util.List.of(true, true, false), levels);
            assertEquals(2, bell.counters().interrupts());
        }
    }

    @Test
    void notifyQueuesLooksAtEveryQueueAndIgnoresAResetDevice() {
        ready(VERSION_1);
        drv.descriptor(DESC, 0, BUF, 8, Virtio.VIRTQ_DESC_F_WRITE, 0);
        drv.offer(0);
        dev.notifyQueues();
        assertArrayEquals(new int[] {0, 8}, drv.usedElem(0));
        drv.write(MmioTransport.STATUS, 0);
        drv.offer(0);
        dev.notifyQueues(); // reset: no queue is live, nothing happens
        assertEquals(1, drv.usedIdx());
    }
}
