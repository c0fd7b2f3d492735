package io.jvirt.vmm.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvirt.vmm.accel.tcg.TcgAccelerator;
import io.jvirt.vmm.guest.DefaultGuest;
import io.jvirt.vmm.guests.JvirtGuest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code jvirt run --console-device hvc} end to end on the software CPU: the default guest
 * (Debian's cloud kernel, virtio_console.ko loaded by its /init) boots with console=hvc0, so the
 * ready marker and the shell travel through the virtio console (the kernel's early log has no
 * console until virtio_console.ko loads); the test
 * types a command into hvc0, reads its output, and the guest powers off.
 */
@Tag("linux")
@Timeout(900)
class HvcConsoleTcgTest {

    @Test
    void theShellOnHvc0RunsACommandAndPowersOff() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/apt-get")) || Files.isDirectory(DefaultGuest.cacheDirectory()),
                "needs apt-get (a Debian host) to build the default guest");
        DefaultGuest g = DefaultGuest.ensure();
        MachineConfig config = new MachineConfig(g.kernel(), Optional.of(g.initramfs()), "console=hvc0 panic=-1 reboot=k",
                256L << 20, 1, true, List.of(), ConsoleDevice.HVC);
        try (JvirtGuest vm = new JvirtGuest(TcgAccelerator.create(), config)) {
            assertTrue(vm.await(DefaultGuest.READY_MARKER, Duration.ofMinutes(10)), vm.describe());
            Thread.sleep(1000);
            vm.send("echo jvirt-$((6*7)) on $(tty)\n");
            assertTrue(vm.await("jvirt-42 on /dev/hvc0", Duration.ofMinutes(2)), vm.describe());
            vm.send("poweroff -f\n");
            assertEquals(0, vm.exit(Duration.ofMinutes(2)), vm.describe());
        }
    }
}
