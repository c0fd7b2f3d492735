package io.jvirt.vmm.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvirt.vmm.guests.GuestProcess;
import io.jvirt.vmm.guests.Qemu;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Validates the default guest material itself on the reference peer: Debian's cloud kernel
 * with our initramfs boots under qemu-system-x86_64 -accel tcg to the ready marker, runs a
 * command on the ttyS0 shell and powers off. Uses (and on first run builds) the real cache.
 */
@Timeout(900)
class DefaultGuestQemuBootTest {

    private static final Duration BOOT = Duration.ofSeconds(240);

    @Test
    void bootsToTheReadyMarkerRunsACommandAndPowersOff() throws Exception {
        assumeTrue(Qemu.missingReason() == null, Qemu.missingReason());
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/apt-get")) || DefaultGuest.cached(DefaultGuest.cacheDirectory()) != null,
                "needs apt-get (a Debian host) to build the default guest");
        DefaultGuest g = DefaultGuest.ensure();
        String failure = null;
        for (int attempt = 1; attempt <= 2; attempt++) { // TCG on a loaded host: one retry
            failure = bootOnce(g);
            if (failure == null) {
                return;
            }
            System.err.println("attempt " + attempt + " failed: " + failure);
        }
        throw new AssertionError(failure);
    }

    /** Null on success, else what went wrong with the console output. */
    private static String bootOnce(DefaultGuest g) throws Exception {
        List<String> cmd = Qemu.command(g.kernel(), "console=ttyS0 panic=-1", 1,
                "-initrd", g.initramfs().toString());
        try (GuestProcess vm = GuestProcess.start(cmd)) {
            if (!vm.await(DefaultGuest.READY_MARKER, BOOT)) {
                return "no " + DefaultGuest.READY_MARKER + " within " + BOOT + ": " + vm.describe();
            }
            Thread.sleep(500); // let the shell reach its prompt
            vm.send("echo jvirt-$((6*7)); cat /proc/mounts | grep -c -e proc -e sysfs -e devtmpfs\n");
            if (!vm.await("jvirt-42", Duration.ofSeconds(60))) {
                return "the shell did not run a command: " + vm.describe();
            }
            assertTrue(vm.await("\n3\n", Duration.ofSeconds(30)), "proc, sysfs, devtmpfs mounted: " + vm.describe());
            vm.send("poweroff -f\n");
            assertEquals(0, vm.exit(Duration.ofSeconds(60)), vm.describe());
            assertTrue(vm.output().contains("reboot: Power down"), vm.describe());
            return null;
        }
    }
}
