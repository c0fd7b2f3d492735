package io.jvirt.vmm.guest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Builds the default guest from Debian packages: resolves the kernel metapackage to the real
 * kernel package, downloads both .debs with {@code apt-get download} (never installing them),
 * unpacks them with {@code dpkg-deb -x} into a scratch directory, takes the vmlinuz and writes
 * a busybox initramfs, then renames the finished directory into place.
 */
final class GuestBuilder {

    private static final System.Logger LOG = System.getLogger(GuestBuilder.class.getName());

    private final String kernelPackage;
    private final String busyboxPackage;

    GuestBuilder(String kernelPackage, String busyboxPackage) {
        this.kernelPackage = kernelPackage;
        this.busyboxPackage = busyboxPackage;
    }

    void buildInto(Path target) {
        Path parent = target.toAbsolutePath().getParent();
        Path work;
        try {
            Files.createDirectories(parent);
            work = Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp-");
        } catch (IOException e) {
            throw new GuestBuildException("default guest: cannot create a directory under " + parent
                    + " (" + e.getMessage() + "); check its permissions or set XDG_DATA_HOME", e);
        }
        try {
            Path result = work.resolve("guest");
            build(work, result);
            publish(result, target);
        } finally {
            deleteTree(work);
        }
    }

    private void build(Path work, Path result) {
        String kernelPkg = Tools.resolveKernelPackage(kernelPackage);
        LOG.log(System.Logger.Level.INFO, "building the default guest from {0} and {1} into {2}",
                kernelPkg, busyboxPackage, result);
        Path debs = mkdirs(work.resolve("debs"));
        Tools.aptDownload(debs, kernelPkg);
        Tools.aptDownload(debs, busyboxPackage);
        Path root = mkdirs(work.resolve("root"));
        try (Stream<Path> s = Files.list(debs)) {
            for (Path deb : s.filter(p -> p.toString().endsWith(".deb")).sorted().toList()) {
                Tools.dpkgExtract(deb, root);
            }
        } catch (IOException e) {
            throw new GuestBuildException("default guest: cannot list " + debs + " (" + e.getMessage() + ")", e);
        }
        Path vmlinuz = findKernel(root, kernelPkg);
        Path busybox = root.resolve("bin/busybox");
        if (!Files.isRegularFile(busybox)) {
            throw new GuestBuildException("default guest: package " + busyboxPackage
                    + " has no /bin/busybox; is it Debian's busybox-static?");
        }
        mkdirs(result);
        try {
            Files.copy(vmlinuz, result.resolve(DefaultGuest.KERNEL_FILE));
            byte[] cpio = Initramfs.build(Files.readAllBytes(busybox), Tools.busyboxApplets(busybox),
                    virtioModules(root, vmlinuz));
            Files.write(result.resolve(DefaultGuest.INITRAMFS_FILE), cpio);
            Files.writeString(result.resolve("SOURCE"), kernelPkg + "\n" + busyboxPackage + "\n");
        } catch (IOException e) {
            throw new GuestBuildException("default guest: cannot write " + result + " (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The virtio modules of the kernel package ({@link Initramfs#MODULES}) from
     * lib/modules/KVER/kernel, KVER from the vmlinuz name; a kernel that builds one in has no file
     * for it, and /init skips what is absent.
     */
    private static Map<String, byte[]> virtioModules(Path root, Path vmlinuz) throws IOException {
        String kver = vmlinuz.getFileName().toString().substring("vmlinuz-".length());
        Path tree = root.resolve("lib/modules").resolve(kver).resolve("kernel");
        Map<String, byte[]> modules = new LinkedHashMap<>();
        for (String m : Initramfs.MODULES) {
            Path p = tree.resolve(m);
            if (Files.isRegularFile(p)) {
                modules.put(Initramfs.moduleName(m), Files.readAllBytes(p));
            } else {
                LOG.log(System.Logger.Level.INFO, "default guest: no {0} in the kernel package (built in?)", m);
            }
        }
        return modules;
    }

    private static Path findKernel(Path root, String kernelPkg) {
        try (Stream<Path> s = Files.list(root.resolve("boot"))) {
            List<Path> k = s.filter(p -> p.getFileName().toString().startsWith("vmlinuz-")).sorted().toList();
            if (k.size() != 1) {
                throw new GuestBuildException("default guest: package " + kernelPkg + " holds " + k.size()
                        + " /boot/vmlinuz-* files, expected 1; pick a linux-image-*-cloud-amd64 package");
            }
            return k.getFirst();
        } catch (IOException e) {
            throw new GuestBuildException("default guest: package " + kernelPkg
                    + " has no /boot directory; is it a linux-image package?", e);
        }
    }

    /** Renames {@code result} to {@code target}; if another builder won the race, keeps theirs. */
    private static void publish(Path result, Path target) {
        try {
            Files.move(result, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
            if (DefaultGuest.cached(target) == null) {
                throw new GuestBuildException("default guest: " + target
                        + " exists but is incomplete; delete it and retry", e);
            }
        } catch (AtomicMoveNotSupportedException e) {
            throw new GuestBuildException("default guest: cannot rename into " + target
                    + " atomically (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new GuestBuildException("default guest: cannot rename " + result + " to " + target
                    + " (" + e.getMessage() + ")", e);
        }
    }

    private static Path mkdirs(Path p) {
        try {
            return Files.createDirectories(p);
        } catch (IOException e) {
            throw new GuestBuildException("default guest: cannot create " + p + " (" + e.getMessage() + ")", e);
        }
    }

    static void deleteTree(Path p) {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            List<Path> all = new ArrayList<>(s.toList());
            all.sort(Comparator.reverseOrder());
            for (Path q : all) {
                if (!Files.isSymbolicLink(q)) {
                    q.toFile().setWritable(true);
                }
                Files.deleteIfExists(q);
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove scratch directory {0}: {1}", p, e.getMessage());
        }
    }
}
