package io.jvirt.vmm.guest;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** The default guest's initramfs: busybox with its applet links, the virtio modules, /dev, /proc, /sys and /init. */
final class Initramfs {

    /**
     * The virtio drivers /init loads, dependencies first (Debian's cloud kernel builds virtio,
     * virtio_mmio, virtio_console, virtio_blk, virtio-rng and virtio_net as modules; its config
     * lacks VIRTIO_MMIO_CMDLINE_DEVICES, so the devices come from the DSDT once virtio_mmio loads).
     * Paths under lib/modules/KVER/kernel.
     */
    static final List<String> MODULES = List.of(
            "drivers/virtio/virtio_ring.ko", "drivers/virtio/virtio.ko", "drivers/virtio/virtio_mmio.ko",
            "drivers/char/virtio_console.ko", "drivers/block/virtio_blk.ko", "drivers/char/hw_random/virtio-rng.ko",
            "net/core/failover.ko", "drivers/net/net_failover.ko", "drivers/net/virtio_net.ko");

    /**
     * /init: mounts proc, sysfs and devtmpfs, loads the virtio modules (those present), then
     * prints the ready marker and runs a shell on the console the kernel was told to use
     * (the last entry of /sys/class/tty/console/active: hvc0 under console=hvc0, else ttyS0) as
     * its controlling terminal (setsid, then the first tty opened becomes the session's
     * controlling tty). The shell runs commands and {@code poweroff -f}. Under console=hvc0 the
     * kernel had no console when it started /init, so /init's own output goes to the tty too.
     */
    static final String INIT = """
            #!/bin/busybox sh
            export PATH=/bin:/sbin:/usr/bin:/usr/sbin
            /bin/busybox mount -t proc proc /proc
            /bin/busybox mount -t sysfs sysfs /sys
            /bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
            [ -e /bin/ls ] || /bin/busybox --install -s
            for m in %s; do
              [ -e /lib/modules/$m.ko ] && insmod /lib/modules/$m.ko 2>/dev/null
            done
            tty=ttyS0
            for c in $(cat /sys/class/tty/console/active 2>/dev/null); do tty=$c; done
            [ -c /dev/$tty ] || tty=ttyS0
            if [ -c /dev/$tty ]; then
              exec </dev/$tty >/dev/$tty 2>&1
              echo "%s $(uname -r)"
              exec setsid sh -c "exec sh </dev/$tty >/dev/$tty 2>&1"
            fi
            echo "%s $(uname -r)"
            exec sh
            """.formatted(String.join(" ", MODULES.stream().map(Initramfs::moduleName).toList()),
            DefaultGuest.READY_MARKER, DefaultGuest.READY_MARKER);

    /** "drivers/char/hw_random/virtio-rng.ko" -> "virtio-rng". */
    static String moduleName(String path) {
        String file = path.substring(path.lastIndexOf('/') + 1);
        return file.substring(0, file.length() - ".ko".length());
    }

    private Initramfs() {
    }

    /** {@code modules}: module file contents by name without ".ko" (see {@link #MODULES}). */
    static byte[] build(byte[] busybox, List<String> applets, Map<String, byte[]> modules) {
        Cpio c = new Cpio();
        TreeSet<String> dirs = new TreeSet<>(List.of("bin", "sbin", "usr", "usr/bin", "usr/sbin", "dev",
                "proc", "sys", "tmp", "root", "etc", "run", "mnt", "lib", "lib/modules"));
        for (String a : applets) {
            int slash = a.lastIndexOf('/');
            if (slash > 0) {
                dirs.add(a.substring(0, slash));
            }
        }
        for (String d : dirs) { // TreeSet order puts "usr" before "usr/bin"
            c.directory(d, d.equals("tmp") ? 01777 : 0755);
        }
        c.charDevice("dev/console", 0600, 5, 1); // devices.txt: 5,1 = /dev/console
        c.charDevice("dev/null", 0666, 1, 3);    // devices.txt: 1,3 = /dev/null
        c.file("bin/busybox", 0755, busybox);
        for (String a : applets) {
            if (!a.equals("bin/busybox") && !a.contains("..") && !a.startsWith("/")) {
                c.symlink(a, "/bin/busybox");
            }
        }
        for (Map.Entry<String, byte[]> m : new TreeMap<>(modules).entrySet()) {
            c.file("lib/modules/" + m.getKey() + ".ko", 0644, m.getValue());
        }
        c.file("init", 0755, INIT.getBytes(StandardCharsets.US_ASCII));
        c.file("etc/hostname", 0644, "jvirt\n".getBytes(StandardCharsets.US_ASCII));
        return c.finish();
    }
}
