package io.jvirt.testkit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A busybox initramfs for a test guest on {@link DebianKernel}: /init mounts proc, sysfs and
 * devtmpfs, links busybox's applets into /bin, inserts the chosen kernel modules (their
 * dependencies first, see {@link DebianKernel#modulesFor}) and runs the test's script lines.
 * Host files can be added (a gcc-built static program, say). Written as an uncompressed newc
 * cpio by the host's {@code cpio} (nothing to inflate on a slow software CPU).
 *
 * <pre>{@code
 * Path initrd = TestInitramfs.of(kernel).modules("virtio_mmio", "virtio_blk")
 *         .script("mount /dev/vda /mnt", "poweroff -f").write(dir);
 * }</pre>
 */
public final class TestInitramfs {

    /** The static busybox the image runs (Debian's busybox-static). */
    public static final Path BUSYBOX = Path.of("/bin/busybox");

    private final DebianKernel kernel;
    private final List<String> modules = new ArrayList<>();
    private final List<String> script = new ArrayList<>();
    private final Map<String, Path> files = new LinkedHashMap<>();

    private TestInitramfs(DebianKernel kernel) {
        this.kernel = kernel;
    }

    public static TestInitramfs of(DebianKernel kernel) {
        return new TestInitramfs(kernel);
    }

    /** Modules to insert, by name (virtio_mmio, virtio_blk, virtio-rng, virtio_net...). */
    public TestInitramfs modules(String... names) {
        modules.addAll(List.of(names));
        return this;
    }

    /** Shell lines /init runs (busybox sh, PATH=/bin) after the modules are in. */
    public TestInitramfs script(String... lines) {
        script.addAll(List.of(lines));
        return this;
    }

    /** As {@link #script(String...)}. */
    public TestInitramfs script(List<String> lines) {
        script.addAll(lines);
        return this;
    }

    /** Adds the host file {@code source} as {@code pathInImage} (relative, e.g. "bin/iobench"), executable. */
    public TestInitramfs file(String pathInImage, Path source) {
        if (pathInImage.startsWith("/") || pathInImage.contains("..")) {
            throw new IllegalArgumentException("initramfs path " + pathInImage + " must be relative without '..'");
        }
        files.put(pathInImage, source);
        return this;
    }

    /** The /init script this image runs. */
    public String init() {
        StringBuilder sh = new StringBuilder("""
                #!/bin/busybox sh
                /bin/busybox --install -s /bin
                export PATH=/bin
                mount -t proc proc /proc
                mount -t sysfs sys /sys
                mount -t devtmpfs dev /dev
                """);
        for (Path ko : kernel.modulesFor(modules.toArray(String[]::new))) {
            sh.append("insmod /lib/modules/").append(ko.getFileName()).append('\n');
        }
        for (String line : script) {
            sh.append(line).append('\n');
        }
        return sh.toString();
    }

    /** Writes {@code dir}/initrd.cpio (a scratch tree goes to {@code dir}/initramfs) and returns it. */
    public Path write(Path dir) {
        assumeTrue(Files.isExecutable(BUSYBOX), "needs busybox-static at " + BUSYBOX + " (apt-get install busybox-static)");
        Path root = dir.resolve("initramfs");
        Path out = dir.resolve("initrd.cpio");
        try {
            for (String d : List.of("bin", "proc", "sys", "dev", "tmp", "mnt", "lib/modules")) {
                Files.createDirectories(root.resolve(d));
            }
            Files.copy(BUSYBOX, root.resolve("bin/busybox"), StandardCopyOption.REPLACE_EXISTING);
            for (Path ko : kernel.modulesFor(modules.toArray(String[]::new))) {
                Files.copy(ko, root.resolve("lib/modules").resolve(ko.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
            for (Map.Entry<String, Path> f : files.entrySet()) {
                Path to = root.resolve(f.getKey());
                Files.createDirectories(to.getParent());
                Files.copy(f.getValue(), to, StandardCopyOption.REPLACE_EXISTING);
                to.toFile().setExecutable(true);
            }
            Path init = root.resolve("init");
            Files.writeString(init, init());
            init.toFile().setExecutable(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot assemble the initramfs tree in " + root, e);
        }
        Host.Result r = Host.run(root, "sh", "-c", "find . | LC_ALL=C sort | cpio -o -H newc --quiet > '" + out + "'");
        assumeTrue(r.status() != 127, "needs cpio (apt-get install cpio): " + r.out());
        if (r.status() != 0) {
            throw new AssertionError("cpio could not write " + out + ": " + r.out());
        }
        return out;
    }
}
