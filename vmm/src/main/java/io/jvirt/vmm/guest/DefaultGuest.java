package io.jvirt.vmm.guest;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The default Linux guest {@code jvirt run} boots without {@code --kernel}: Debian's cloud
 * kernel and a busybox initramfs whose /init mounts proc, sys and devtmpfs, loads the virtio
 * modules (mmio, blk, net, rng, console), prints {@value #READY_MARKER} and runs a shell on the
 * kernel's console (ttyS0, or hvc0 under {@code console=hvc0}) that can run commands and
 * {@code poweroff -f}.
 *
 * <p>Built on first use from Debian packages fetched with {@code apt-get download} (nothing is
 * installed on the host) and cached under {@code $XDG_DATA_HOME/jvirt/guests/}{@value #CACHE_NAME},
 * else {@code ~/.local/share/jvirt/guests/}{@value #CACHE_NAME}. The cache directory appears atomically: it is
 * assembled in a temporary sibling and renamed into place, so a reader never sees half of it.
 *
 * @param kernel    the bzImage
 * @param initramfs the newc cpio initramfs
 */
public record DefaultGuest(Path kernel, Path initramfs) {

    /** The line /init prints once the guest's shell is about to start. */
    public static final String READY_MARKER = "JVIRT-GUEST-READY";
    /** Debian's metapackage for the current cloud kernel (no modules needed for a VM). */
    public static final String KERNEL_PACKAGE = "linux-image-cloud-amd64";
    /** Debian's statically linked busybox: runs in an initramfs without a libc. */
    public static final String BUSYBOX_PACKAGE = "busybox-static";

    /**
     * The cache directory's name, renamed whenever the initramfs changes so that an older cache
     * is never taken for a newer one (2: virtio modules and the hvc0 console).
     */
    public static final String CACHE_NAME = "default-2";
    static final String KERNEL_FILE = "vmlinuz";
    static final String INITRAMFS_FILE = "initramfs.cpio";

    /**
     * Returns the cached default guest, building it first if needed. Throws
     * {@link GuestBuildException} with a one-line reason and fix when it cannot be built.
     */
    public static DefaultGuest ensure() {
        return ensure(cacheDirectory());
    }

    /** As {@link #ensure()}, caching in {@code directory} (created atomically) instead. */
    public static DefaultGuest ensure(Path directory) {
        DefaultGuest cached = cached(directory);
        if (cached != null) {
            return cached;
        }
        new GuestBuilder(KERNEL_PACKAGE, BUSYBOX_PACKAGE).buildInto(directory);
        cached = cached(directory);
        if (cached == null) {
            throw new GuestBuildException("default guest: " + directory + " lacks " + KERNEL_FILE + " or "
                    + INITRAMFS_FILE + " after building; delete the directory and retry");
        }
        return cached;
    }

    /** The guest in {@code directory}, or null when it is not (completely) there. */
    static DefaultGuest cached(Path directory) {
        Path k = directory.resolve(KERNEL_FILE);
        Path i = directory.resolve(INITRAMFS_FILE);
        return Files.isRegularFile(k) && Files.isRegularFile(i) ? new DefaultGuest(k, i) : null;
    }

    /** {@code $XDG_DATA_HOME/jvirt/guests/CACHE_NAME}, else {@code ~/.local/share/jvirt/guests/CACHE_NAME}. */
    public static Path cacheDirectory() {
        String xdg = System.getenv("XDG_DATA_HOME");
        // XDG Base Directory spec: a relative $XDG_DATA_HOME is invalid and must be ignored
        Path data = xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()
                ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".local", "share");
        return data.resolve("jvirt").resolve("guests").resolve(CACHE_NAME);
    }
}
