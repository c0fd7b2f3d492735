package io.jvirt.cli.run;

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
 * Debian's cloud kernel (apt-get download + dpkg-deb -x into ~/.cache/jvirt-test, never
 * installed) and a busybox initramfs whose /init prints {@link #MARKER}, the CPU count and the
 * command line, then powers off. Tests skip with the reason when apt or busybox are missing.
 */
final class LinuxGuest {

    static final String MARKER = "JVIRT-LINUX-UP";
    private static final Path CACHE = Path.of(System.getProperty("user.home"), ".cache", "jvirt-test",
            "debian-cloud-kernel");

    record Files2(Path kernel, Path initrd) {
    }

    private LinuxGuest() {
    }

    static synchronized Files2 ensure(Path work) throws IOException, InterruptedException {
        Path kernel = vmlinuz(CACHE.resolve("root"));
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
            kernel = vmlinuz(CACHE.resolve("root"));
        }
        assumeTrue(kernel != null, "no vmlinuz in " + CACHE);
        Path busybox = Path.of("/bin/busybox");
        assumeTrue(Files.isExecutable(busybox), "needs busybox-static at /bin/busybox");
        Path root = work.resolve("initramfs");
        for (String d : List.of("bin", "proc", "sys", "dev")) {
            Files.createDirectories(root.resolve(d));
        }
        Files.copy(busybox, root.resolve("bin/busybox"), StandardCopyOption.REPLACE_EXISTING);
        Path init = root.resolve("init");
        Files.writeString(init, """
                #!/bin/busybox sh
                /bin/busybox --install -s /bin
                mount -t proc proc /proc
                echo "%s cpus=$(grep -c ^processor /proc/cpuinfo) cmdline=$(cat /proc/cmdline)"
                poweroff -f
                """.formatted(MARKER));
        assumeTrue(init.toFile().setExecutable(true), "chmod +x " + init);
        Path cpio = work.resolve("initramfs.cpio");
        run(root, "sh", "-c", "find . | cpio -o -H newc --quiet > " + cpio);
        return new Files2(kernel, cpio);
    }

    private static Path vmlinuz(Path root) throws IOException {
        Path boot = root.resolve("boot");
        if (!Files.isDirectory(boot)) {
            return null;
        }
        try (Stream<Path> s = Files.list(boot)) {
            return s.filter(p -> p.getFileName().toString().startsWith("vmlinuz-")).findFirst().orElse(null);
        }
    }

    private static String run(Path dir, String... cmd) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(p.waitFor(5, TimeUnit.MINUTES) && p.exitValue() == 0, String.join(" ", cmd) + " failed: " + out);
        return out;
    }
}
