package io.jvirt.testkit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SequencedSet;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Debian's cloud kernel with its module tree, for tests that boot Linux: the package
 * {@code linux-image-cloud-amd64} depends on, fetched once with {@code apt-get download} and
 * unpacked with {@code dpkg-deb -x} (never installed) into
 * {@code ~/.cache/jvirt-test/debian-cloud-kernel/root}, or taken from
 * {@code -Djvirt.test.kernelRoot=DIR} (a directory holding boot/vmlinuz-* and lib/modules).
 * A test that cannot have it (no apt, no network) is skipped with the reason.
 *
 * <p>The Debian cloud kernel builds virtio as modules ({@code CONFIG_VIRTIO_MMIO=m},
 * {@code CONFIG_VIRTIO_BLK=m}, ...; ext4, jbd2, crc16 and crc32c are built in). The package
 * ships no modules.dep (depmod runs at install time), so {@link #modulesFor} reads each
 * module's {@code depends=} from its .modinfo section instead.
 *
 * @param vmlinuz the bzImage
 * @param modules the module tree, {@code lib/modules/<release>/kernel}
 * @param release the kernel release, e.g. {@code 6.1.0-56-cloud-amd64}
 */
public record DebianKernel(Path vmlinuz, Path modules, String release) {

    /** The cache every test shares (the vmm boot tests and the cli tests used it before). */
    public static final Path CACHE = Path.of(System.getProperty("user.home"), ".cache", "jvirt-test",
            "debian-cloud-kernel");
    private static final String METAPACKAGE = "linux-image-cloud-amd64";
    private static final String VMLINUZ = "vmlinuz-";

    /** The kernel, downloading it on first use; skips the calling test when that is impossible. */
    public static synchronized DebianKernel ensure() {
        String override = System.getProperty("jvirt.test.kernelRoot");
        if (override != null) {
            DebianKernel k = at(Path.of(override));
            assumeTrue(k != null, "-Djvirt.test.kernelRoot=" + override + " holds no boot/vmlinuz-*");
            return k;
        }
        DebianKernel k = at(CACHE.resolve("root"));
        if (k != null) {
            return k;
        }
        Host.Result depends = Host.run(null, "apt-cache", "depends", METAPACKAGE);
        Matcher m = Pattern.compile("Depends: (linux-image-[0-9]\\S*-cloud-amd64)").matcher(depends.out());
        assumeTrue(depends.status() == 0 && m.find(), "apt-cache knows no " + METAPACKAGE + " dependency (run "
                + "'apt-get update' on a Debian host): " + depends.out().strip());
        try {
            Files.createDirectories(CACHE.getParent());
            Path tmp = Files.createTempDirectory(CACHE.getParent(), "download-");
            Host.Result got = Host.run(tmp, "apt-get", "download", "-q", m.group(1));
            assumeTrue(got.status() == 0, "apt-get download " + m.group(1) + " failed: " + got.out().strip());
            Path deb;
            try (Stream<Path> s = Files.list(tmp)) {
                deb = s.filter(p -> p.toString().endsWith(".deb")).findFirst().orElse(null);
            }
            assumeTrue(deb != null, "apt-get download " + m.group(1) + " left no .deb in " + tmp);
            Host.Result x = Host.run(tmp, "dpkg-deb", "-x", deb.toString(), "root");
            assumeTrue(x.status() == 0, "dpkg-deb -x " + deb + " failed: " + x.out().strip());
            Files.delete(deb);
            try {
                Files.move(tmp, CACHE, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                // another test run won the race: use its copy (ours stays as a stray download-*)
            }
        } catch (IOException e) {
            assumeTrue(false, "cannot unpack the kernel under " + CACHE.getParent() + ": " + e.getMessage());
        }
        k = at(CACHE.resolve("root"));
        assumeTrue(k != null, "no boot/vmlinuz-* in " + CACHE.resolve("root") + " after unpacking " + m.group(1));
        return k;
    }

    /** The kernel unpacked under {@code root}, or null when it has no boot/vmlinuz-*. */
    static DebianKernel at(Path root) {
        Path boot = root.resolve("boot");
        if (!Files.isDirectory(boot)) {
            return null;
        }
        try (Stream<Path> s = Files.list(boot)) {
            Path vmlinuz = s.filter(p -> p.getFileName().toString().startsWith(VMLINUZ)).sorted().findFirst().orElse(null);
            if (vmlinuz == null) {
                return null;
            }
            String release = vmlinuz.getFileName().toString().substring(VMLINUZ.length());
            return new DebianKernel(vmlinuz, root.resolve("lib/modules").resolve(release).resolve("kernel"), release);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The module files that load {@code names} (module names such as {@code virtio_blk} or
     * {@code virtio-rng}; '-' and '_' are the same, as for modprobe), each after the modules it
     * depends on, every module once: the order to insmod them in.
     */
    public List<Path> modulesFor(String... names) {
        Map<String, Path> index = index();
        SequencedSet<Path> order = new LinkedHashSet<>();
        for (String n : names) {
            add(canonical(n), index, order, new ArrayList<>());
        }
        return List.copyOf(order);
    }

    private static void add(String name, Map<String, Path> index, SequencedSet<Path> order, List<String> path) {
        Path ko = index.get(name);
        assumeTrue(ko != null, "kernel module " + name + " is not in this kernel's module tree (built in, or a typo?)");
        if (order.contains(ko)) {
            return;
        }
        if (path.contains(name)) {
            throw new IllegalStateException("module dependency cycle: " + path + " -> " + name);
        }
        path.add(name);
        for (String dep : Modinfo.of(ko).depends()) {
            add(canonical(dep), index, order, path);
        }
        path.removeLast();
        order.add(ko);
    }

    private Map<String, Path> index() {
        Map<String, Path> index = new TreeMap<>();
        try (Stream<Path> s = Files.walk(modules)) {
            s.filter(p -> p.getFileName().toString().endsWith(".ko"))
                    .forEach(p -> index.put(canonical(p.getFileName().toString().replaceFirst("\\.ko$", "")), p));
        } catch (IOException e) {
            assumeTrue(false, "cannot list the kernel modules in " + modules + ": " + e.getMessage());
        }
        return index;
    }

    private static String canonical(String module) {
        return module.replace('-', '_');
    }
}
