package io.jvirt.vmm.guest;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeSet;

/** The default guest's initramfs: busybox with its applet links, /dev, /proc, /sys and /init. */
final class Initramfs {

    /**
     * /init: mounts proc, sysfs and devtmpfs, prints the ready marker and runs a shell on ttyS0
     * as its controlling terminal (setsid, then the first tty opened becomes the session's
     * controlling tty). The shell runs commands and {@code poweroff -f}.
     */
    static final String INIT = """
            #!/bin/busybox sh
            export PATH=/bin:/sbin:/usr/bin:/usr/sbin
            /bin/busybox mount -t proc proc /proc
            /bin/busybox mount -t sysfs sysfs /sys
            /bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
            [ -e /bin/ls ] || /bin/busybox --install -s
            echo "%s $(uname -r)"
            if [ -c /dev/ttyS0 ]; then
              exec setsid sh -c 'exec sh </dev/ttyS0 >/dev/ttyS0 2>&1'
            fi
            exec sh
            """.formatted(DefaultGuest.READY_MARKER);

    private Initramfs() {
    }

    static byte[] build(byte[] busybox, List<String> applets) {
        Cpio c = new Cpio();
        TreeSet<String> dirs = new TreeSet<>(List.of("bin", "sbin", "usr", "usr/bin", "usr/sbin", "dev",
                "proc", "sys", "tmp", "root", "etc", "run", "mnt"));
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
        c.file("init", 0755, INIT.getBytes(StandardCharsets.US_ASCII));
        c.file("etc/hostname", 0644, "jvirt\n".getBytes(StandardCharsets.US_ASCII));
        return c.finish();
    }
}
