package io.jvirt.vmm.accel.tcg;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The Debian bookworm cloud kernel and a busybox initramfs for the boot tests, made under
 * {@code target/tcg-linux}: the kernel package that linux-image-cloud-amd64 depends on is fetched
 * with {@code apt-get download} and unpacked with {@code dpkg-deb -x} (never installed); the
 * initramfs is busybox-static with an /init that announces itself and runs a shell on the console.
 * Empty when the host lacks apt, the package index or busybox-static, with the reason.
 */
final class LinuxMaterial {

    /** Printed by /init once userspace runs; the tests wait for it before typing. */
    static final String READY = "JVIRT-USERSPACE-READY";

    record Files2(Path kernel, Path initrd) {
    }

    private static final Path DIR = Path.of("target", "tcg-linux").toAbsolutePath();
    private static final Path BUSYBOX = Path.of("/bin/busybox");

    private LinuxMaterial() {
    }

    /** The kernel and initramfs, or a reason they are unavailable. */
    static synchronized Optional<Files2> ensure(StringBuilder why) {
        try {
            Files.createDirectories(DIR);
            Path kernel = findKernel();
            if (kernel == null) {
                String pkg = run(DIR, "sh", "-c",
                        "apt-cache depends linux-image-cloud-amd64 | sed -n 's/.*Depends: \\(linux-image-[0-9].*\\)/\\1/p' | head -1")
                        .strip();
                if (pkg.isEmpty()) {
                    why.append("apt-cache knows no linux-image-cloud-amd64 (run apt-get update)");
                    return Optional.empty();
                }
                run(DIR, "apt-get", "download", pkg);
                try (Stream<Path> s = Files.list(DIR)) {
                    Path deb = s.filter(p -> p.getFileName().toString().startsWith(pkg + "_")).findFirst()
                            .orElseThrow(() -> new IOException("apt-get download " + pkg + " left no .deb"));
                    run(DIR, "dpkg-deb", "-x", deb.toString(), DIR.resolve("root").toString());
                }
                kernel = findKernel();
                if (kernel == null) {
                    why.append("the kernel package had no /boot/vmlinuz-*");
                    return Optional.empty();
                }
            }
            Path initrd = DIR.resolve("initramfs.cpio");
            if (!Files.exists(initrd)) {
                if (!Files.isExecutable(BUSYBOX) || !run(DIR, "file", "-L", BUSYBOX.toString()).contains("static")) {
                    why.append("no static /bin/busybox (apt-get install busybox-static)");
                    return Optional.empty();
                }
                buildInitramfs(initrd);
            }
            return Optional.of(new Files2(kernel, initrd));
        } catch (IOException | InterruptedException e) {
            why.append("cannot prepare the Debian kernel: ").append(e.getMessage());
            return Optional.empty();
        }
    }

    private static Path findKernel() throws IOException {
        Path boot = DIR.resolve("root/boot");
        if (!Files.isDirectory(boot)) {
            return null;
        }
        try (Stream<Path> s = Files.list(boot)) {
            return s.filter(p -> p.getFileName().toString().startsWith("vmlinuz-")).findFirst().orElse(null);
        }
    }

    private static void buildInitramfs(Path out) throws IOException, InterruptedException {
        Path root = DIR.resolve("initramfs");
        for (String d : List.of("bin", "sbin", "proc", "sys", "dev", "tmp", "etc")) {
            Files.createDirectories(root.resolve(d));
        }
        Files.copy(BUSYBOX, root.resolve("bin/busybox"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path init = root.resolve("init");
        Files.writeString(init, """
                #!/bin/busybox sh
                /bin/busybox --install -s /bin
                mount -t proc proc /proc
                mount -t sysfs sysfs /sys
                mount -t devtmpfs devtmpfs /dev 2>/dev/null
                echo "%s cpus=$(grep -c ^processor /proc/cpuinfo)"
                exec setsid cttyhack sh
                """.formatted(READY));
        init.toFile().setExecutable(true);
        run(root, "sh", "-c", "find . | cpio -o -H newc --quiet > " + out);
    }

    private static String run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out.strip());
        }
        return out;
    }
}
