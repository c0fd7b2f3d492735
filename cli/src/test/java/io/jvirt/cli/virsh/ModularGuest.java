package io.jvirt.cli.virsh;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Debian's cloud kernel with its virtio, evdev and ACPI button modules in a busybox initramfs:
 * /init loads them, runs {@code script}, powers off when the ACPI power button is pressed (the
 * guest side of virsh shutdown/reboot: one evdev read of a struct input_event, 24 bytes on
 * x86-64), and leaves a shell on ttyS0. The kernel package is
 * fetched with apt-get download into ~/.cache/jvirt-test (shared with the run tests), never
 * installed; tests skip with the reason when apt, busybox or cpio are missing.
 */
final class ModularGuest {

    static final Path CACHE = Path.of(System.getProperty("user.home"), ".cache", "jvirt-test", "debian-cloud-kernel");
    /** Load order: each after what it depends on (modinfo -F depends). */
    static final List<String> MODULES = List.of("virtio_ring", "virtio", "virtio_mmio", "virtio_blk", "virtio-rng",
            "failover", "net_failover", "virtio_net", "evdev", "button");

    record Files2(Path kernel, Path initrd) {
    }

    private ModularGuest() {
    }

    static synchronized Files2 build(Path work, String script) throws IOException, InterruptedException {
        Path kernel = vmlinuz();
        if (kernel == null) {
            String depends = run(CACHE.getParent(), "apt-cache", "depends", "linux-image-cloud-amd64");
            Matcher m = Pattern.compile("Depends: (linux-image-[0-9]\\S*-cloud-amd64)").matcher(depends);
            assumeTrue(m.find(), "apt-cache knows no linux-image-cloud-amd64 dependency");
            Path tmp = Files.createTempDirectory(CACHE.getParent(), "download-");
            run(tmp, "apt-get", "download", m.group(1));
            Path deb;
            try (Stream<Path> s = Files.list(tmp)) {
                deb = s.filter(p -> p.toString().endsWith(".deb")).findFirst().orElseThrow();
            }
            run(tmp, "dpkg-deb", "-x", deb.toString(), "root");
            Files.delete(deb);
            try {
                Files.move(tmp, CACHE, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                // another run was first
            }
            kernel = vmlinuz();
        }
        assumeTrue(kernel != null, "no vmlinuz in " + CACHE);
        Path busybox = Path.of("/bin/busybox");
        assumeTrue(Files.isExecutable(busybox), "needs busybox-static at /bin/busybox");
        Path root = work.resolve("initramfs");
        for (String d : List.of("bin", "proc", "sys", "dev", "mods")) {
            Files.createDirectories(root.resolve(d));
        }
        Files.copy(busybox, root.resolve("bin/busybox"), StandardCopyOption.REPLACE_EXISTING);
        try (Stream<Path> s = Files.walk(CACHE.resolve("root/lib/modules"))) {
            for (Path ko : s.filter(p -> MODULES.contains(p.getFileName().toString().replaceAll("\\.ko$", ""))).toList()) {
                Files.copy(ko, root.resolve("mods").resolve(ko.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path init = root.resolve("init");
        Files.writeString(init, """
                #!/bin/busybox sh
                /bin/busybox --install -s /bin
                mount -t proc proc /proc
                mount -t sysfs sysfs /sys
                mount -t devtmpfs devtmpfs /dev
                for m in %s; do insmod /mods/$m.ko; done
                for e in /sys/class/input/event*; do
                  if grep -q "Power Button" $e/device/name 2>/dev/null; then
                    (dd if=/dev/input/${e##*/} bs=24 count=1 >/dev/null 2>&1 && echo "== power button" && poweroff -f) &
                  fi
                done
                %s
                exec setsid sh -c 'exec sh </dev/ttyS0 >/dev/ttyS0 2>&1'
                """.formatted(String.join(" ", MODULES), script));
        assumeTrue(init.toFile().setExecutable(true), "chmod +x " + init);
        Path cpio = work.resolve("initramfs.cpio");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/cpio")) || Files.isExecutable(Path.of("/bin/cpio")), "needs cpio");
        run(root, "sh", "-c", "find . | cpio -o -H newc --quiet > " + cpio);
        return new Files2(kernel, cpio);
    }

    private static Path vmlinuz() throws IOException {
        Path boot = CACHE.resolve("root/boot");
        if (!Files.isDirectory(boot)) {
            return null;
        }
        try (Stream<Path> s = Files.list(boot)) {
            return s.filter(p -> p.getFileName().toString().startsWith("vmlinuz-")).findFirst().orElse(null);
        }
    }

    static String run(Path dir, String... cmd) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(p.waitFor(5, TimeUnit.MINUTES) && p.exitValue() == 0, String.join(" ", cmd) + " failed: " + out);
        return out;
    }
}
