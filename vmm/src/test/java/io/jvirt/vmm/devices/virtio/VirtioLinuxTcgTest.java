package io.jvirt.vmm.devices.virtio;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvirt.block.BlockDevice;
import io.jvirt.block.Images;
import io.jvirt.vmm.arch.x86_64.firmware.TestLinux;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end on jvirt's own parts: Debian's kernel on the software CPU finds our virtio-rng
 * and virtio-blk through the DSDT (LNRO0005), Linux's virtio_mmio driver negotiates with our
 * transport, the hwrng core reads entropy and the block layer reads a qcow2 disk made by
 * qemu-img (and writes one sector, read back with qemu-io) through our split virtqueues, and
 * "poweroff -f" reaches our ACPI PM block as S5, on a {@link TcgLinuxRig} (a small machine
 * from the public parts, so the test does not depend on the machine's wiring). Slow
 * (minutes): tagged {@code linux}. The console goes to target/virtio-linux/console.log.
 */
@Tag("linux")
class VirtioLinuxTcgTest {
    private static final long MINUTES = Long.getLong("jvirt.tcg.bootMinutes", 15);
    private static final String DONE = "== done";

    @TempDir
    Path dir;

    @Test
    void linuxUsesOurVirtioRngAndBlkAndPowersOff() throws Exception {
        TestLinux linux = TestLinux.find();
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-img")), "qemu-utils not installed");
        Path img = dir.resolve("disk.qcow2");
        run("qemu-img", "create", "-q", "-f", "qcow2", img.toString(), "8M");
        run("qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 0 4k", img.toString());
        Path initrd = linux.initramfs(dir, List.of("drivers/virtio/virtio_ring.ko", "drivers/virtio/virtio.ko",
                "drivers/virtio/virtio_mmio.ko", "drivers/char/hw_random/virtio-rng.ko", "drivers/block/virtio_blk.ko"),
                List.of(
                "echo \"== hwrng: $(bb cat /sys/class/misc/hw_random/rng_current)\"",
                "bb dd if=/dev/hwrng bs=32 count=4 2>/dev/null | bb hexdump -C",
                "echo \"== virtio: $(bb cat /sys/bus/virtio/devices/*/device | bb tr '\\n' ' ') $(bb grep virtio /proc/interrupts)\"",
                "echo \"== vda: size=$(bb cat /sys/block/vda/size) serial=$(bb cat /sys/block/vda/serial)\"",
                "bb dd if=/dev/vda bs=4096 count=1 2>/dev/null | bb hexdump -C | bb head -3",
                "echo jvirt-was-here | bb dd of=/dev/vda bs=512 seek=16 conv=sync,fsync 2>/dev/null",
                "echo \"" + DONE + "\"",
                "bb poweroff -f"));
        Path logFile = Path.of("target", "virtio-linux", "console.log");
        try (BlockDevice disk = Images.open(img, "qcow2", false);
             TcgLinuxRig rig = TcgLinuxRig.boot(linux.kernel(), initrd, 2, logFile)) {
            VirtioMmio rng = rig.attach(0, VirtioDevice.rng());
            VirtioMmio blk = rig.attach(1, VirtioDevice.blk(disk, "jvirt-e2e"));
            TcgLinuxRig.Outcome o = rig.run(MINUTES);
            String text = o.console();
            String tail = o.tail();
            assertTrue(text.contains(DONE), "the guest never finished its script; console tail:\n" + tail);
            assertTrue(o.poweredOff(), "no S5 power-off through the ACPI PM block; console tail:\n" + tail);
            assertTrue(text.contains("== hwrng: virtio_rng.0"), "virtio-rng is the hwrng; console tail:\n" + tail);
            assertTrue(text.contains("00000070  "), "128 bytes read from /dev/hwrng; console tail:\n" + tail);
            assertTrue(text.contains("0x0004") && text.contains("0x0002"), "rng and blk on the virtio bus; console tail:\n" + tail);
            assertTrue(text.contains("virtio0") && text.contains("virtio1"), "both have their interrupts; console tail:\n" + tail);
            assertTrue(text.contains("== vda: size=16384 serial=jvirt-e2e"), "vda's size and serial; console tail:\n" + tail);
            assertTrue(text.contains("00000000  5a 5a 5a 5a"), "vda reads what qemu-io wrote; console tail:\n" + tail);
            assertTrue((blk.status() & Virtio.DEVICE_NEEDS_RESET) == 0, "blk never broke, status " + blk.status());
            // The kernel resets its devices on the way down, so only DEVICE_NEEDS_RESET is telling here.
            assertTrue((rng.status() & Virtio.DEVICE_NEEDS_RESET) == 0, "the device never broke, status " + rng.status());
        }
        // "jvirt-was-here\n" then the zero padding of conv=sync
        String out = run("qemu-io", "-f", "qcow2", "-c", "read -v 8192 16", img.toString());
        assertTrue(out.contains("6a 76 69 72 74 2d 77 61 73 2d 68 65 72 65 0a 00"), "the guest's write reached the image:\n" + out);
        run("qemu-img", "check", img.toString());
    }

    private static String run(String... cmd) throws java.io.IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd) + " timed out");
        assertTrue(p.exitValue() == 0, String.join(" ", cmd) + ":\n" + out);
        return out;
    }
}
