package io.jvirt.cli.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvirt.testkit.DebianKernel;
import io.jvirt.testkit.Host;
import io.jvirt.testkit.TestInitramfs;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance of jvirt's disks and entropy through the command line, on the software CPU:
 * {@code jvirt run --accel tcg --disk disk.raw,serial=raw --disk disk.qcow2,format=qcow2,serial=qcow2 --rng}
 * boots Debian's cloud kernel, which mounts both ext4 file systems (made on the host with
 * {@code mkfs.ext4 -d}; the qcow2 one converted by qemu-img), checks the files the host put
 * there, writes a file on each, syncs, unmounts, reads /dev/hwrng and powers off (status 0).
 * The host then finds the guest's files with debugfs, {@code e2fsck -fn} finds both file
 * systems clean and {@code qemu-img check} finds the qcow2 image clean. Slow (a few minutes):
 * tagged {@code linux}.
 */
@Tag("linux")
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class RunDisksLinuxTcgTest {

    private static final String GUEST_TEXT = "written by the guest on the raw disk";

    @TempDir
    Path dir;

    @Test
    void guestMountsExt4OnRawAndQcow2WritesAndPowersOff() throws Exception {
        for (String tool : List.of("/usr/sbin/mkfs.ext4", "/usr/sbin/debugfs", "/usr/sbin/e2fsck", "/usr/bin/qemu-img")) {
            assumeTrue(Files.isExecutable(Path.of(tool)), tool + " missing (apt-get install e2fsprogs qemu-utils)");
        }
        DebianKernel kernel = DebianKernel.ensure();
        byte[] blob = new byte[256 << 10];
        new Random(5).nextBytes(blob);
        Path raw = ext4(dir.resolve("disk.raw"), "raw", blob);
        Path qcow2 = dir.resolve("disk.qcow2");
        Host.check(null, "qemu-img", "convert", "-f", "raw", "-O", "qcow2",
                ext4(dir.resolve("qcow2-src.raw"), "qcow2", blob).toString(), qcow2.toString());
        Path initrd = TestInitramfs.of(kernel).modules("virtio_mmio", "virtio_blk", "virtio_rng").script(
                // vdX follows probe order; the serials say which disk is which
                "for b in /sys/block/vd*; do s=$(cat $b/serial); mkdir -p /mnt/$s;"
                        + " mount -t ext4 /dev/${b##*/} /mnt/$s && echo \"== mounted $s\"; done",
                "for s in raw qcow2; do echo \"== $s: $(cat /mnt/$s/hello.txt) $(md5sum < /mnt/$s/blob)\"; done",
                "echo '" + GUEST_TEXT + "' > /mnt/raw/guest.txt",
                "dd if=/dev/urandom of=/mnt/qcow2/guest.bin bs=65536 count=16 2>/dev/null",
                "echo \"== guest.bin $(md5sum < /mnt/qcow2/guest.bin)\"",
                "sync",
                "umount /mnt/raw /mnt/qcow2 && echo '== unmounted'",
                "echo \"== hwrng: $(cat /sys/class/misc/hw_random/rng_current)"
                        + " $(dd if=/dev/hwrng bs=64 count=4 2>/dev/null | wc -c) bytes\"",
                "echo \"== hwrng head: $(dd if=/dev/hwrng bs=16 count=1 2>/dev/null | od -An -tx1 | tr -d ' \\n')\"",
                "echo '== done'",
                "poweroff -f").write(dir);

        JvirtRun vm = JvirtRun.run(dir, List.of(), "--accel", "tcg", "--no-reboot", "--memory", "256M",
                "--kernel", kernel.vmlinuz().toString(), "--initrd", initrd.toString(),
                "--cmdline", "console=ttyS0 panic=-1 reboot=k",
                "--disk", raw + ",serial=raw", "--disk", qcow2 + ",format=qcow2,serial=qcow2", "--rng");

        String c = vm.console();
        assertTrue(c.contains("== done"), "the guest's script did not finish; " + vm.describe());
        assertEquals(0, vm.status(), "poweroff -f ends jvirt with status 0; " + vm.describe());
        assertTrue(c.contains("== mounted raw") && c.contains("== mounted qcow2"), "both mounted; " + vm.describe());
        assertTrue(c.contains("== raw: hello from the host on raw " + md5(blob)), "raw content; " + vm.describe());
        assertTrue(c.contains("== qcow2: hello from the host on qcow2 " + md5(blob)), "qcow2 content; " + vm.describe());
        assertTrue(c.contains("== unmounted"), "both unmounted cleanly; " + vm.describe());
        assertTrue(c.contains("== hwrng: virtio_rng.0 256 bytes"), "256 bytes from /dev/hwrng; " + vm.describe());
        assertTrue(!c.contains("== hwrng head: 00000000000000000000000000000000") && c.contains("== hwrng head: "),
                "hwrng bytes are not all zero; " + vm.describe());

        // The host finds the guest's writes.
        assertEquals(GUEST_TEXT + "\n", Files.readString(dump(raw, "/guest.txt"), StandardCharsets.US_ASCII));
        Host.check(null, "e2fsck", "-fn", raw.toString());
        String check = Host.check(null, "qemu-img", "check", qcow2.toString());
        assertTrue(check.contains("No errors were found on the image."), check);
        Path back = dir.resolve("qcow2-back.raw");
        Host.check(null, "qemu-img", "convert", "-f", "qcow2", "-O", "raw", qcow2.toString(), back.toString());
        Host.check(null, "e2fsck", "-fn", back.toString());
        byte[] written = Files.readAllBytes(dump(back, "/guest.bin"));
        assertEquals(1 << 20, written.length, "guest.bin's size on the host");
        assertTrue(c.contains("== guest.bin " + md5(written)), "guest.bin on the host matches the guest's md5; "
                + vm.describe());
        assertArrayEquals(blob, Files.readAllBytes(dump(back, "/blob")), "the host's file is untouched");
    }

    /** A 32 MiB ext4 image at {@code image} holding hello.txt and blob, made by mkfs.ext4 -d. */
    private Path ext4(Path image, String name, byte[] blob) throws Exception {
        Path content = dir.resolve("content-" + name);
        Files.createDirectories(content);
        Files.writeString(content.resolve("hello.txt"), "hello from the host on " + name + "\n");
        Files.write(content.resolve("blob"), blob);
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(32L << 20);
        }
        Host.check(null, "mkfs.ext4", "-q", "-F", "-L", name, "-d", content.toString(), image.toString());
        return image;
    }

    /** debugfs's copy of {@code file} in the ext4 {@code image} (fails when it is not there). */
    private Path dump(Path image, String file) {
        Path out = dir.resolve("dump-" + image.getFileName() + file.replace('/', '_'));
        Host.check(null, "debugfs", "-R", "dump " + file + " " + out, image.toString());
        assertTrue(Files.exists(out), "debugfs found no " + file + " in " + image);
        return out;
    }

    private static String md5(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data)) + "  -";
    }
}
