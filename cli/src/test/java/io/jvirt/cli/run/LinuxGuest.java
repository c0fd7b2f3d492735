package io.jvirt.cli.run;

import io.jvirt.testkit.DebianKernel;
import io.jvirt.testkit.TestInitramfs;
import java.nio.file.Path;

/**
 * Debian's cloud kernel ({@link DebianKernel}, downloaded once, never installed) and a busybox
 * initramfs whose /init prints {@link #MARKER}, the CPU count and the command line, then powers
 * off. Tests skip with the reason when apt or busybox are missing.
 */
final class LinuxGuest {

    static final String MARKER = "JVIRT-LINUX-UP";

    record Files2(Path kernel, Path initrd) {
    }

    private LinuxGuest() {
    }

    static Files2 ensure(Path work) {
        DebianKernel kernel = DebianKernel.ensure();
        Path initrd = TestInitramfs.of(kernel).script(
                "echo \"" + MARKER + " cpus=$(grep -c ^processor /proc/cpuinfo) cmdline=$(cat /proc/cmdline)\"",
                "poweroff -f").write(work);
        return new Files2(kernel.vmlinuz(), initrd);
    }
}
