package io.jvirt.vmm.arch.x86_64.firmware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Debian's cloud kernel (from ~/.cache/jvirt-test/kernel/root, or -Djvirt.test.kernelRoot) and
 * busybox initramfs with chosen kernel modules, for tests that boot Linux. Assumptions skip the
 * test when the material is absent.
 */
public record TestLinux(Path kernel, Path modules) {
    private static final String VMLINUZ = "vmlinuz-";

    /** The kernel and its module tree, or a skipped test. */
    public static TestLinux find() throws IOException {
        Path root = Path.of(System.getProperty("jvirt.test.kernelRoot",
                System.getProperty("user.home") + "/.cache/jvirt-test/kernel/root"));
        assumeTrue(Files.isDirectory(root.resolve("boot")), "no Debian cloud kernel at " + root);
        assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "busybox-static not installed");
        Path kernel;
        try (Stream<Path> s = Files.list(root.resolve("boot"))) {
            kernel = s.filter(p -> p.getFileName().toString().startsWith(VMLINUZ)).findFirst().orElse(null);
        }
        assumeTrue(kernel != null, "no vmlinuz in " + root.resolve("boot"));
        String kver = kernel.getFileName().toString().substring(VMLINUZ.length());
        return new TestLinux(kernel, root.resolve("lib/modules/" + kver + "/kernel"));
    }

    /**
     * Writes {@code dir}/initrd.cpio.gz: busybox, the {@code modules} (paths under the module
     * tree, inserted in this order) and an init running {@code script} lines after mounting
     * proc, sys and devtmpfs. {@code bb} in the lines is replaced by "/bin/busybox ".
     */
    public Path initramfs(Path dir, List<String> modules, List<String> script) throws IOException, InterruptedException {
        Path init = dir.resolve("initramfs");
        Files.createDirectories(init.resolve("bin"));
        Files.createDirectories(init.resolve("mods"));
        for (String d : List.of("proc", "sys", "dev")) {
            Files.createDirectories(init.resolve(d));
        }
        Files.copy(Path.of("/bin/busybox"), init.resolve("bin/busybox"));
        StringBuilder sh = new StringBuilder("#!/bin/busybox sh\n");
        sh.append("/bin/busybox mount -t proc proc /proc\n/bin/busybox mount -t sysfs sys /sys\n")
                .append("/bin/busybox mount -t devtmpfs dev /dev\n");
        for (String m : modules) {
            Path src = this.modules.resolve(m);
            assumeTrue(Files.exists(src), "kernel module " + src + " missing");
            Files.copy(src, init.resolve("mods/" + src.getFileName()));
            sh.append("/bin/busybox insmod /mods/").append(src.getFileName()).append('\n');
        }
        for (String line : script) {
            sh.append(line.replace("bb ", "/bin/busybox ")).append('\n');
        }
        Files.writeString(init.resolve("init"), sh);
        init.resolve("init").toFile().setExecutable(true);
        Path out = dir.resolve("initrd.cpio.gz");
        Process p = new ProcessBuilder("sh", "-c", "cd '" + init + "' && find . | cpio -o -H newc 2>/dev/null | gzip > '" + out + "'")
                .inheritIO().start();
        assertEquals(0, p.waitFor(), "building the initramfs with cpio");
        return out;
    }
}
