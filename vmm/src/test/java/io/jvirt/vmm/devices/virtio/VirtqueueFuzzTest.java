package io.jvirt.vmm.devices.virtio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jvirt.vmm.arch.x86_64.firmware.TestGuestMemory;
import io.jvirt.vmm.devices.IrqLine;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of the virtqueue code through the MMIO transport: random queue layouts,
 * descriptor tables (direct and indirect), available rings, indices, register pokes and
 * resets, hundreds of thousands of cases. Nothing may escape the transport, nothing may touch
 * memory outside guest RAM, and the used ring must stay consistent. A failure prints the seed
 * of its case; rerun one with -Dfuzz.seed=N -Dfuzz.cases=1.
 */
class VirtqueueFuzzTest {
    /** RAM: 64 KiB at 0, a hole, 64 KiB at 0x20000; small so random addresses hit the edges. */
    private static final long R0 = 0;
    private static final long R1 = 0x20000;
    private static final long RSIZE = 0x10000;
    private static final long VERSION_1 = 1L << 32;

    /** A device that echoes up to 64 readable bytes into the writable buffers. */
    private static final class EchoDevice implements VirtioDevice {
        long requests;

        @Override
        public int deviceId() {
            return 0x7f;
        }

        @Override
        public long features() {
            return 0;
        }

        @Override
        public int queueCount() {
            return 2;
        }

        @Override
        public int queueMaxSize() {
            return 256;
        }

        @Override
        public void process(int index, VirtioQueue queue) {
            for (Request r = queue.next(); r != null; r = queue.next()) {
                requests++;
                byte[] in = r.read(queue.memory(), 64);
                byte[] out = in.length > 0 ? in : new byte[] {1, 2, 3, 4, 5, 6, 7};
                queue.complete(r, r.write(queue.memory(), out, 0, out.length));
            }
        }
    }

    @Test
    void randomQueuesNeverEscapeOrLeaveRam() {
        long seed = Long.getLong("fuzz.seed", 0x6a766972L);
        int cases = Integer.getInteger("fuzz.cases", 200_000);
        long deadline = System.nanoTime() + 60_000_000_000L;
        try (TestGuestMemory ram = new TestGuestMemory(R0, RSIZE, R1, RSIZE)) {
            CountingMemory mem = new CountingMemory(ram);
            EchoDevice echo = new EchoDevice();
            VirtioMmio dev = VirtioMmio.create(echo, mem, high -> { });
            TestDriver drv = new TestDriver(dev, mem);
            int needsReset = 0;
            int done = 0;
            for (int c = 0; c < cases && System.nanoTime() < deadline; c++, done++) {
                long caseSeed = seed + c;
                try {
                    if (runCase(new SplittableRandom(caseSeed), dev, drv, mem)) {
                        needsReset++;
                    }
                } catch (AssertionError e) {
                    throw new AssertionError("fuzz case seed " + caseSeed + ": " + e.getMessage(), e);
                } catch (RuntimeException e) {
                    throw new AssertionError("fuzz case seed " + caseSeed + ": escaped the transport", e);
                }
                assertEquals(0, mem.outside, "fuzz case seed " + caseSeed + ": access outside guest RAM");
            }
            System.out.printf("virtqueue fuzz: %d cases, %d requests served, %d ended in DEVICE_NEEDS_RESET%n",
                    done, echo.requests, needsReset);
            assertTrue(done >= Math.min(cases, 100_000), "only " + done + " cases in the time limit");
            assertTrue(echo.requests > done / 2, "the fuzzer must also produce valid requests");
            assertTrue(needsReset > 0 && needsReset < done, "both healthy and broken queues are exercised");
        }
    }

    /**
     * One case; returns whether the device ended in DEVICE_NEEDS_RESET. One case in three is
     * "tidy": rings valid and apart in the first region, buffers and indirect tables only around
     * the second, no register pokes; then the used ring is checked exactly. The others are chaos.
     */
    private static boolean runCase(SplittableRandom r, VirtioMmio dev, TestDriver drv, CountingMemory mem) {
        boolean tidy = r.nextInt(3) == 0;
        long features = VERSION_1 | (r.nextBoolean() ? 1L << 28 : 0) | (r.nextBoolean() ? 1L << 29 : 0);
        if (!tidy && r.nextInt(50) == 0) {
            features = r.nextLong();
        }
        drv.negotiate(features);
        int size = !tidy && r.nextInt(20) == 0 ? r.nextInt(300) : 1 << r.nextInt(9);
        long desc = tidy ? 16L * r.nextInt(64) : ringAddress(r, 16, 16L * size);
        long avail = tidy ? 0x2000 + 2L * r.nextInt(100) : ringAddress(r, 2, 6 + 2L * size);
        long used = tidy ? 0x3000 + 4L * r.nextInt(100) : ringAddress(r, 4, 6 + 8L * size);
        int queue = !tidy && r.nextInt(30) == 0 ? r.nextInt(3) : 0;
        drv.size = Math.max(size, 1);
        drv.desc = desc;
        drv.avail = avail;
        drv.used = used;
        drv.write(MmioTransport.QUEUE_SEL, queue);
        drv.write(MmioTransport.QUEUE_NUM, size);
        drv.write(MmioTransport.QUEUE_DESC_LOW, desc);
        drv.write(MmioTransport.QUEUE_DESC_HIGH, desc >>> 32);
        drv.write(MmioTransport.QUEUE_DRIVER_LOW, avail);
        drv.write(MmioTransport.QUEUE_DRIVER_HIGH, avail >>> 32);
        drv.write(MmioTransport.QUEUE_DEVICE_LOW, used);
        drv.write(MmioTransport.QUEUE_DEVICE_HIGH, used >>> 32);
        int tableEntries = Math.min(size, 256);
        if (mem.backingOffset(desc, 16L * tableEntries) >= 0) {
            for (int i = 0; i < tableEntries; i++) {
                randomDescriptor(r, drv, desc, i, size, tidy);
            }
        }
        for (int t = r.nextInt(3); t > 0; t--) { // indirect tables somewhere
            int n = 1 + r.nextInt(8);
            long table = ramAddress(r, 16L * n, tidy) & ~15L;
            if (mem.backingOffset(table, 16L * n) >= 0) {
                for (int i = 0; i < n; i++) {
                    randomDescriptor(r, drv, table, i, n, tidy);
                }
            }
        }
        boolean ringsOk = mem.backingOffset(avail, 6 + 2L * size) >= 0 && mem.backingOffset(used, 6 + 8L * size) >= 0;
        int count = 0;
        boolean badHead = false;
        if (ringsOk) {
            mem.writeShort(used + 2, (short) 0);
            mem.writeShort(avail, (short) (r.nextInt(4) == 0 ? 1 : 0));
            count = r.nextInt(10) == 0 ? r.nextInt(65536) : r.nextInt(size + 1);
            for (int i = 0; i < Math.min(count, size); i++) {
                int head = r.nextInt(40) == 0 ? r.nextInt(65536) : r.nextInt(Math.max(size, 1));
                badHead |= head >= size;
                mem.writeShort(avail + 4 + 2L * i, (short) head);
            }
            mem.writeShort(avail + 2, (short) count);
            mem.writeShort(avail + 4 + 2L * size, (short) r.nextInt(65536)); // used_event
        }
        drv.write(MmioTransport.QUEUE_READY, 1);
        drv.write(MmioTransport.STATUS, drv.read(MmioTransport.STATUS) | Virtio.DRIVER_OK);
        for (int k = 1 + r.nextInt(3); k > 0; k--) {
            if (!tidy && r.nextInt(8) == 0) {
                pokeRegister(r, dev);
            }
            drv.write(MmioTransport.QUEUE_NOTIFY, !tidy && r.nextInt(10) == 0 ? r.nextInt() : queue);
        }
        boolean broken = (dev.status() & Virtio.DEVICE_NEEDS_RESET) != 0;
        boolean featuresOk = (dev.status() & Virtio.FEATURES_OK) != 0;
        if (tidy && featuresOk) {
            boolean ringCorrupt = count > size || badHead;
            assertEquals(ringCorrupt, broken, "DEVICE_NEEDS_RESET exactly when the rings are corrupt");
            if (!broken) {
                int usedIdx = mem.readShort(used + 2) & 0xffff;
                assertEquals(count, usedIdx, "every available chain is used, served or failed");
                for (int i = 0; i < usedIdx; i++) {
                    int id = mem.readInt(used + 4 + 8L * i);
                    int len = mem.readInt(used + 8 + 8L * i);
                    assertTrue(id >= 0 && id < size, "used id " + id + " in a queue of " + size);
                    assertTrue(len >= 0 && len <= 64, "used len " + len);
                }
            }
        }
        return broken;
    }

    private static void pokeRegister(SplittableRandom r, VirtioMmio dev) {
        long offset = r.nextInt(0x220);
        int size = 1 << r.nextInt(4);
        if (r.nextBoolean()) {
            dev.read(offset, size);
        } else if (offset != MmioTransport.STATUS) {
            dev.write(offset, size, r.nextLong());
        }
    }

    private static void randomDescriptor(SplittableRandom r, TestDriver drv, long table, int i, int n, boolean tidy) {
        long addr = r.nextInt(10) == 0 ? r.nextLong() : ramAddress(r, 64, tidy);
        int len = switch (r.nextInt(10)) {
            case 0 -> r.nextInt();
            case 1 -> 16 * (1 + r.nextInt(8)); // plausible indirect table length
            default -> r.nextInt(80);
        };
        int flags = r.nextInt(12) == 0 ? r.nextInt(65536) : r.nextInt(8);
        int next = r.nextInt(12) == 0 ? r.nextInt(65536) : r.nextInt(Math.max(n, 1));
        drv.descriptor(table, i, addr, len, flags, next);
    }

    /** Mostly RAM, often near a region edge, sometimes in the hole; only around R1 when tidy. */
    private static long ramAddress(SplittableRandom r, long length, boolean tidy) {
        long base = !tidy && r.nextBoolean() ? R0 : R1;
        return switch (r.nextInt(8)) {
            case 0 -> base + RSIZE - r.nextLong(Math.max(1, length * 2));   // straddles the end
            case 1 -> base - r.nextInt(64);                                   // just below
            case 2 -> RSIZE + r.nextLong(R1 - RSIZE);                         // in the hole
            default -> base + r.nextLong(RSIZE - Math.min(RSIZE - 1, length));
        };
    }

    private static long ringAddress(SplittableRandom r, int align, long length) {
        if (r.nextInt(15) == 0) {
            return r.nextInt(4) == 0 ? r.nextLong() : ramAddress(r, length, false);
        }
        long a = ramAddress(r, length, false);
        return a - Math.floorMod(a, align);
    }

    @Test
    void rngUnderRandomChainsStaysInRam() {
        try (TestGuestMemory ram = new TestGuestMemory(R0, RSIZE, R1, RSIZE)) {
            CountingMemory mem = new CountingMemory(ram);
            VirtioMmio dev = VirtioMmio.create(VirtioDevice.rng(), mem, high -> { });
            TestDriver drv = new TestDriver(dev, mem);
            SplittableRandom r = new SplittableRandom(42);
            for (int c = 0; c < 2_000; c++) {
                drv.negotiate(VERSION_1 | (1L << 28) | (1L << 29));
                drv.setupQueue(16, 0x1000, 0x2000, 0x3000);
                drv.driverOk();
                for (int i = 0; i < 16; i++) {
                    randomDescriptor(r, drv, 0x1000, i, 16, true); // buffers away from the rings
                }
                for (int i = 0; i < 16; i++) {
                    drv.offer(r.nextInt(16));
                }
                drv.kick();
                if ((dev.status() & Virtio.DEVICE_NEEDS_RESET) == 0) {
                    assertEquals(16, drv.usedIdx(), "every offered chain is used (served or failed)");
                } else {
                    fail("rings are valid; only chains are random");
                }
                assertEquals(0, mem.outside);
            }
        }
    }
}
