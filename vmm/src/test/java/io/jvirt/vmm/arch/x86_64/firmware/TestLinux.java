package io.jvirt.vmm.arch.x86_64.firmware;

import io.jvirt.testkit.DebianKernel;
import io.jvirt.testkit.TestInitramfs;
import java.nio.file.Path;
import java.util.List;

/**
 * Debian's cloud kernel with its modules ({@link DebianKernel}: downloaded once into
 * ~/.cache/jvirt-test/debian-cloud-kernel, or -Djvirt.test.kernelRoot) and busybox initramfs
 * images with chosen modules ({@link TestInitramfs}), for the vmm tests that boot Linux.
 * Assumptions skip the test when the material cannot be had.
 */
public record TestLinux(DebianKernel debian) {

    /** The kernel and its module tree, or a skipped test. */
    public static TestLinux find() {
        return new TestLinux(DebianKernel.ensure());
    }

    /** The bzImage. */
    public Path kernel() {
        return debian.vmlinuz();
    }

    /**
     * Writes an initramfs into {@code dir} with the {@code modules} (paths under the module tree
     * such as drivers/virtio/virtio_mmio.ko; their dependencies come along, loaded first) and an
     * init running the {@code script} lines after mounting proc, sys and devtmpfs. {@code bb} in
     * the lines is replaced by "/bin/busybox ".
     */
    public Path initramfs(Path dir, List<String> modules, List<String> script) {
        String[] names = modules.stream()
                .map(m -> Path.of(m).getFileName().toString().replaceFirst("\\.ko$", "")).toArray(String[]::new);
        return TestInitramfs.of(debian).modules(names)
                .script(script.stream().map(l -> l.replace("bb ", "/bin/busybox ")).toList()).write(dir);
    }
}
