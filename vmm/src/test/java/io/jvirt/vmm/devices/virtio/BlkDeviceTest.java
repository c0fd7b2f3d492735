package io.jvirt.vmm.devices.virtio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvirt.block.BlockDevice;
import io.jvirt.block.Images;
import io.jvirt.vmm.arch.x86_64.firmware.TestGuestMemory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * virtio-blk over a qcow2 image that qemu-img made and qemu-io filled; what the guest writes is
 * read back by qemu-io.
 */
class BlkDeviceTest {
    private static final long VERSION_1 = 1L << 32;
    private static final long DESC = 0x1000;
    private static final long AVAIL = 0x2000;
    private static final long USED = 0x3000;
    private static final long HDR = 0x10000;
    private static final long DATA = 0x20000;
    private static final long STATUS = 0x30000;

    @TempDir
    Path dir;

    private String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
        return out;
    }

    private Path image() throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-img")), "qemu-utils not installed");
        Path img = dir.resolve("disk.qcow2");
        run("qemu-img", "create", "-q", "-f", "qcow2", img.toString(), "1M");
        run("qemu-io", "-f", "qcow2", "-c", "write -P 0xab 0 64k", img.toString());
        return img;
    }

    /** Posts header + data + status as three descriptors and returns {used len, status}. */
    private int[] request(TestDriver d, TestGuestMemory mem, int type, long sector, int dataLen, boolean dataWritable) {
        mem.writeInt(HDR, type);
        mem.writeInt(HDR + 4, 0);
        mem.writeLong(HDR + 8, sector);
        mem.writeByte(STATUS, (byte) 0x7f);
        int n = 0;
        d.descriptor(DESC, n, HDR, 16, Virtio.VIRTQ_DESC_F_NEXT, n + 1);
        n++;
        if (dataLen > 0) {
            d.descriptor(DESC, n, DATA, dataLen, Virtio.VIRTQ_DESC_F_NEXT | (dataWritable ? Virtio.VIRTQ_DESC_F_WRITE : 0), n + 1);
            n++;
        }
        d.descriptor(DESC, n, STATUS, 1, Virtio.VIRTQ_DESC_F_WRITE, 0);
        int before = d.usedIdx();
        d.offer(0);
        d.kick();
        assertEquals(before + 1, d.usedIdx());
        int[] e = d.usedElem(before);
        assertEquals(0, e[0]);
        return new int[] {e[1], mem.readByte(STATUS)};
    }

    @Test
    void readsWhatQemuIoWroteAndQemuIoReadsWhatTheGuestWrote() throws Exception {
        Path img = image();
        try (TestGuestMemory mem = new TestGuestMemory(0, 1 << 20);
             BlockDevice disk = Images.open(img, "qcow2", false)) {
            VirtioMmio dev = VirtioMmio.create(VirtioDevice.blk(disk, "jvirt-disk-0"), mem, high -> { });
            TestDriver d = new TestDriver(dev, mem);
            assertEquals(2, d.read(MmioTransport.DEVICE_ID));
            assertEquals(2048, dev.read(0x100, 8), "capacity in sectors");
            assertEquals(512, dev.read(0x100 + 20, 4), "blk_size");
            assertTrue((d.deviceFeatures() & (1L << BlkDevice.F_FLUSH)) != 0);
            assertTrue(d.negotiate(VERSION_1 | (1L << BlkDevice.F_FLUSH)));
            d.setupQueue(8, DESC, AVAIL, USED);
            d.driverOk();

            assertArrayEquals(new int[] {4096 + 1, 0}, request(d, mem, BlkDevice.T_IN, 8, 4096, true));
            byte[] expect = new byte[4096];
            Arrays.fill(expect, (byte) 0xab);
            assertArrayEquals(expect, mem.read(DATA, 4096));
            assertArrayEquals(new int[] {4096 + 1, 0}, request(d, mem, BlkDevice.T_IN, 1024, 4096, true));
            assertArrayEquals(new byte[4096], mem.read(DATA, 4096), "unwritten clusters read as zero");

            byte[] pattern = new byte[8192];
            Arrays.fill(pattern, (byte) 0xcd);
            mem.write(DATA, pattern);
            assertArrayEquals(new int[] {1, 0}, request(d, mem, BlkDevice.T_OUT, 256, 8192, false));
            assertArrayEquals(new int[] {1, 0}, request(d, mem, BlkDevice.T_FLUSH, 0, 0, false));

            assertArrayEquals(new int[] {1, BlkDevice.S_IOERR}, request(d, mem, BlkDevice.T_IN, 2047, 1024, true),
                    "past the end of the disk");
            assertArrayEquals(new int[] {1, BlkDevice.S_IOERR}, request(d, mem, BlkDevice.T_IN, -1L, 512, true),
                    "sector 2^64-1");
            assertArrayEquals(new int[] {1, BlkDevice.S_IOERR}, request(d, mem, BlkDevice.T_OUT, 0, 100, false),
                    "not whole sectors");
            assertArrayEquals(new int[] {1, BlkDevice.S_UNSUPP}, request(d, mem, 99, 0, 0, false));
            int[] id = request(d, mem, BlkDevice.T_GET_ID, 0, 20, true);
            assertArrayEquals(new int[] {21, 0}, id);
            assertEquals("jvirt-disk-0", new String(mem.read(DATA, 12), StandardCharsets.US_ASCII));
        }
        String out = run("qemu-io", "-f", "qcow2", "-c", "read -P 0xcd 131072 8192", img.toString());
        assertTrue(out.contains("read 8192/8192 bytes"), out);
        run("qemu-img", "check", img.toString());
    }

    @Test
    void writeZeroesAndDiscardReachTheImage() throws Exception {
        Path img = image(); // 0xab over the first 64 KiB
        try (TestGuestMemory mem = new TestGuestMemory(0, 1 << 20);
             BlockDevice disk = Images.open(img, "qcow2", false)) {
            VirtioMmio dev = VirtioMmio.create(VirtioDevice.blk(disk, "z"), mem, high -> { });
            TestDriver d = new TestDriver(dev, mem);
            long want = (1L << BlkDevice.F_DISCARD) | (1L << BlkDevice.F_WRITE_ZEROES);
            assertEquals(want, d.deviceFeatures() & want);
            assertEquals(BlkDevice.MAX_SEGMENTS, dev.read(0x100 + 40, 4), "max_discard_seg");
            assertTrue(d.negotiate(VERSION_1 | want));
            d.setupQueue(8, DESC, AVAIL, USED);
            d.driverOk();
            segment(mem, 0, 8, 4, 0);        // sectors 8..11: bytes 4096..6143
            segment(mem, 1, 32, 8, 1);       // sectors 32..39 with UNMAP
            assertArrayEquals(new int[] {1, 0}, request(d, mem, BlkDevice.T_WRITE_ZEROES, 0, 32, false));
            segment(mem, 0, 0, 1, 1);        // UNMAP is not a discard flag
            assertArrayEquals(new int[] {1, BlkDevice.S_UNSUPP}, request(d, mem, BlkDevice.T_DISCARD, 0, 16, false));
            segment(mem, 0, 2047, 2, 0);     // runs off the end
            assertArrayEquals(new int[] {1, BlkDevice.S_IOERR}, request(d, mem, BlkDevice.T_WRITE_ZEROES, 0, 16, false));
            segment(mem, 0, 64, 64, 0);      // sectors 64..127: the second 32 KiB
            assertArrayEquals(new int[] {1, 0}, request(d, mem, BlkDevice.T_DISCARD, 0, 16, false));
        }
        for (String check : List.of("read -P 0xab 0 4096", "read -P 0 4096 2048", "read -P 0xab 6144 10240",
                "read -P 0 16384 4096", "read -P 0xab 20480 12288")) {
            String out = run("qemu-io", "-f", "qcow2", "-c", check, img.toString());
            assertTrue(out.contains("bytes at offset"), check + ":\n" + out);
        }
        run("qemu-img", "check", img.toString());
    }

    /** Discard/write-zeroes segment {@code i} of the data area. */
    private static void segment(TestGuestMemory mem, int i, long sector, int sectors, int flags) {
        mem.writeLong(DATA + 16L * i, sector);
        mem.writeInt(DATA + 16L * i + 8, sectors);
        mem.writeInt(DATA + 16L * i + 12, flags);
    }

    @Test
    void readOnlyDisksOfferRoAndFailWrites() throws Exception {
        Path img = image();
        try (TestGuestMemory mem = new TestGuestMemory(0, 1 << 20);
             BlockDevice disk = Images.open(img, "qcow2", true)) {
            VirtioMmio dev = VirtioMmio.create(VirtioDevice.blk(disk, "ro"), mem, high -> { });
            TestDriver d = new TestDriver(dev, mem);
            assertTrue((d.deviceFeatures() & (1L << BlkDevice.F_RO)) != 0);
            assertTrue(d.negotiate(VERSION_1 | (1L << BlkDevice.F_RO)));
            d.setupQueue(8, DESC, AVAIL, USED);
            d.driverOk();
            assertArrayEquals(new int[] {1, BlkDevice.S_IOERR}, request(d, mem, BlkDevice.T_OUT, 0, 512, false));
            assertArrayEquals(new int[] {513, 0}, request(d, mem, BlkDevice.T_IN, 0, 512, true));
        }
        String out = run("qemu-io", "-f", "qcow2", "-c", "read -P 0xab 0 512", img.toString());
        assertTrue(out.contains("read 512/512 bytes"), out);
    }

    @Test
    void hugeChainsCostNoHugeBuffers() throws Exception {
        Path img = image();
        try (TestGuestMemory mem = new TestGuestMemory(0, 1 << 20);
             BlockDevice disk = Images.open(img, "qcow2", false)) {
            VirtioMmio dev = VirtioMmio.create(VirtioDevice.blk(disk, "x"), mem, high -> { });
            TestDriver d = new TestDriver(dev, mem);
            assertTrue(d.negotiate(VERSION_1));
            d.setupQueue(256, DESC, AVAIL, USED);
            d.driverOk();
            // 200 writable descriptors of 64 KiB all over the same RAM: 12.5 MiB asked for a 1 MiB disk.
            mem.writeInt(HDR, BlkDevice.T_IN);
            mem.writeLong(HDR + 8, 0);
            d.descriptor(DESC, 0, HDR, 16, Virtio.VIRTQ_DESC_F_NEXT, 1);
            for (int i = 1; i <= 200; i++) {
                d.descriptor(DESC, i, DATA, 0x10000, Virtio.VIRTQ_DESC_F_WRITE | Virtio.VIRTQ_DESC_F_NEXT, i + 1);
            }
            d.descriptor(DESC, 201, STATUS, 1, Virtio.VIRTQ_DESC_F_WRITE, 0);
            d.offer(0);
            d.kick();
            assertEquals(1, d.usedIdx());
            assertEquals(BlkDevice.S_IOERR, mem.readByte(STATUS));
        }
    }
}
