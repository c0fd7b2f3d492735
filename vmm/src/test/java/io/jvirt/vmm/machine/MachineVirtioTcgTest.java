package io.jvirt.vmm.machine;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.vmm.accel.tcg.TcgAccelerator;
import io.jvirt.vmm.arch.x86_64.firmware.TestLinux;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The machine's own virtio wiring end to end on the software CPU: {@link MachineConfig#devices()}
 * with a raw disk (read-only, with a serial) and an rng; Debian's kernel finds both through the
 * DSDT the machine builds, reads the disk's known bytes and /dev/hwrng, and powers off. The
 * console goes to target/machine-virtio/console.log.
 */
@Tag("linux")
class MachineVirtioTcgTest {
    private static final long MINUTES = Long.getLong("jvirt.tcg.bootMinutes", 15);
    private static final String DONE = "== done";

    @TempDir
    Path dir;

    @Test
    void guestReadsTheDiskAndTheRngThenPowersOff() throws Exception {
        TestLinux linux = TestLinux.find();
        Path disk = dir.resolve("disk.raw");
        byte[] content = new byte[1 << 20];
        Arrays.fill(content, (byte) 0x5a);
        byte[] marker = "jvirt-disk-ok".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(marker, 0, content, 0, marker.length);
        Files.write(disk, content);
        Path initrd = linux.initramfs(dir, List.of("drivers/virtio/virtio_ring.ko", "drivers/virtio/virtio.ko",
                "drivers/virtio/virtio_mmio.ko", "drivers/char/hw_random/virtio-rng.ko", "drivers/block/virtio_blk.ko"),
                List.of(
                "echo \"== hwrng: $(bb cat /sys/class/misc/hw_random/rng_current)\"",
                "echo \"== rng bytes: $(bb dd if=/dev/hwrng bs=64 count=1 2>/dev/null | bb wc -c)\"",
                "echo \"== vda: size=$(bb cat /sys/block/vda/size) ro=$(bb cat /sys/block/vda/ro) serial=$(bb cat /sys/block/vda/serial)\"",
                "echo \"== vda head: $(bb head -c 13 /dev/vda)\"",
                "bb dd if=/dev/vda bs=4096 skip=255 count=1 2>/dev/null | bb hexdump -C | bb head -1",
                "echo \"" + DONE + "\"",
                "bb poweroff -f"));
        Path logFile = Path.of("target", "machine-virtio", "console.log");
        Files.createDirectories(logFile.getParent());
        MachineConfig config = new MachineConfig(linux.kernel(), Optional.of(initrd), "console=ttyS0 panic=-1 reboot=k",
                256L << 20, 1, true, List.of(
                        new DeviceSpec.Rng(),
                        DeviceSpec.Disk.parse(disk + ",format=raw,readonly=on,serial=jvirt-m1")));
        MachineExit exit;
        try (Console console = Console.file(logFile);
             Machine m = Machine.create(TcgAccelerator.create(), config, console)) {
            m.start();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(MINUTES);
            while (m.state() != RunState.STOPPED && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            m.stop();
            exit = m.awaitExit();
        }
        String text = Files.readString(logFile, StandardCharsets.ISO_8859_1);
        String tail = text.substring(Math.max(0, text.length() - 5000));
        assertTrue(text.contains(DONE), "the guest never finished its script; console tail:\n" + tail);
        assertInstanceOf(MachineExit.PoweredOff.class, exit, "exit " + exit + "; console tail:\n" + tail);
        assertTrue(text.contains("== hwrng: virtio_rng.0"), "virtio-rng is the hwrng; console tail:\n" + tail);
        assertTrue(text.contains("== rng bytes: 64"), "64 bytes from /dev/hwrng; console tail:\n" + tail);
        assertTrue(text.contains("== vda: size=2048 ro=1 serial=jvirt-m1"), "vda size, read-only, serial; console tail:\n" + tail);
        assertTrue(text.contains("== vda head: jvirt-disk-ok"), "vda reads the image's bytes; console tail:\n" + tail);
        assertTrue(text.contains("00000000  5a 5a 5a 5a 5a 5a 5a 5a"), "vda's last 4 KiB; console tail:\n" + tail);
    }
}
