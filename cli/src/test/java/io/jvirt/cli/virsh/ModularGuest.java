package io.jvirt.cli.virsh;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvirt.testkit.DebianKernel;
import io.jvirt.testkit.TestInitramfs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's cloud kernel with its virtio, evdev and ACPI button modules in a busybox initramfs
 * (testkit's {@link DebianKernel} and {@link TestInitramfs}): /init loads them, runs
 * {@code script}, powers off when the ACPI power button is pressed (the guest side of virsh
 * shutdown/reboot: one evdev read of a struct input_event, 24 bytes on x86-64), and leaves a
 * shell on ttyS0. Tests skip with the reason when apt, busybox or cpio are missing.
 */
final class ModularGuest {

    /** The modules /init loads (their dependencies come along, loaded first). */
    static final List<String> MODULES = List.of("virtio_mmio", "virtio_blk", "virtio-rng", "virtio_net", "evdev", "button");

    record Files2(Path kernel, Path initrd) {
    }

    private ModularGuest() {
    }

    static Files2 build(Path work, String script) {
        DebianKernel kernel = DebianKernel.ensure();
        Path initrd = TestInitramfs.of(kernel).modules(MODULES.toArray(String[]::new)).script(
                "for e in /sys/class/input/event*; do",
                "  if grep -q \"Power Button\" $e/device/name 2>/dev/null; then",
                "    (dd if=/dev/input/${e##*/} bs=24 count=1 >/dev/null 2>&1 && echo \"== power button\" && poweroff -f) &",
                "  fi",
                "done",
                script,
                "exec setsid sh -c 'exec sh </dev/ttyS0 >/dev/ttyS0 2>&1'").write(work);
        return new Files2(kernel.vmlinuz(), initrd);
    }

    static String run(Path dir, String... cmd) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(p.waitFor(5, TimeUnit.MINUTES) && p.exitValue() == 0, String.join(" ", cmd) + " failed: " + out);
        return out;
    }
}
