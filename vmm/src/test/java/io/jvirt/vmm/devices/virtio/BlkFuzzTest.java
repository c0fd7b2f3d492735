package io.jvirt.vmm.devices.virtio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvirt.block.BlockDevice;
import io.jvirt.block.Images;
import io.jvirt.vmm.arch.x86_64.firmware.TestGuestMemory;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzzing of virtio-blk's request parsing: random types, sectors, lengths and buffer
 * layouts on valid rings over a raw image. Every request is answered, nothing escapes, nothing
 * touches memory outside RAM, the device never needs a reset and the image keeps its size.
 */
class BlkFuzzTest {
    private static final long VERSION_1 = 1L << 32;
    private static final long DISK = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void randomRequestsAreAnsweredAndContained() throws Exception {
        Path img = dir.resolve("disk.raw");
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(DISK);
        }
        int cases = Integer.getInteger("fuzz.blkCases", 20_000);
        SplittableRandom r = new SplittableRandom(Long.getLong("fuzz.seed", 0x626c6bL));
        try (TestGuestMemory ram = new TestGuestMemory(0, 0x40000, 0x80000, 0x40000);
             BlockDevice disk = Images.open(img, "raw", false)) {
            CountingMemory mem = new CountingMemory(ram);
            VirtioMmio dev = VirtioMmio.create(VirtioDevice.blk(disk, "fuzz"), mem, high -> { });
            TestDriver d = new TestDriver(dev, mem);
            d.negotiate(VERSION_1 | (r.nextBoolean() ? 1L << 28 : 0));
            d.setupQueue(64, 0x1000, 0x2000, 0x3000);
            d.driverOk();
            for (int c = 0; c < cases; c++) {
                long hdr = 0x4000 + 16L * r.nextInt(64);
                int type = switch (r.nextInt(6)) {
                    case 0, 1 -> 0;
                    case 2, 3 -> 1;
                    case 4 -> r.nextBoolean() ? 4 : 8;
                    default -> r.nextInt();
                };
                long sector = r.nextInt(4) == 0 ? r.nextLong() : r.nextInt((int) (DISK / 512) + 8);
                mem.writeInt(hdr, type);
                mem.writeLong(hdr + 8, sector);
                int n = 0;
                d.descriptor(0x1000, n, hdr, r.nextInt(10) == 0 ? r.nextInt(16) : 16, Virtio.VIRTQ_DESC_F_NEXT, n + 1);
                n++;
                for (int s = r.nextInt(5); s > 0; s--) {
                    long addr = (r.nextBoolean() ? 0x10000 : 0x80000) + r.nextInt(0x30000);
                    int len = r.nextInt(4) == 0 ? 512 * r.nextInt(64) : r.nextInt(0x8000);
                    boolean w = type == 0 || type == 8 ? r.nextInt(20) != 0 : r.nextInt(20) == 0;
                    d.descriptor(0x1000, n, addr, len, Virtio.VIRTQ_DESC_F_NEXT | (w ? Virtio.VIRTQ_DESC_F_WRITE : 0), n + 1);
                    n++;
                }
                boolean status = r.nextInt(15) != 0;
                d.descriptor(0x1000, n, status ? 0x5000 : 0x5000, status ? 1 : 0, status ? Virtio.VIRTQ_DESC_F_WRITE : 0, 0);
                int before = d.usedIdx();
                d.offer(0);
                d.kick();
                assertEquals((before + 1) & 0xffff, d.usedIdx(), "case " + c + ": every request is answered");
                assertEquals(0, dev.status() & Virtio.DEVICE_NEEDS_RESET, "case " + c);
                assertEquals(0, mem.outside, "case " + c + ": access outside RAM");
            }
        }
        assertEquals(DISK, Files.size(img), "the image keeps its size");
    }
}
