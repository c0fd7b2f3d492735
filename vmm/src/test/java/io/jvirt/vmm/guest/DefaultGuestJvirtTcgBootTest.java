package io.jvirt.vmm.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvirt.vmm.accel.tcg.TcgAccelerator;
import io.jvirt.vmm.guests.JvirtGuest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The default guest end to end on jvirt's software CPU ({@code jvirt run --accel tcg} without
 * --kernel, in process): Debian's kernel boots to the ready marker, the ttyS0 shell runs a
 * command, {@code poweroff -f} ends jvirt with status 0. Takes minutes (about 2.5 on a loaded
 * 2-core host), so it runs only with -Djvirt.test.slow=true.
 */
@Timeout(900)
class DefaultGuestJvirtTcgBootTest {

    @Test
    void bootsToTheReadyMarkerRunsACommandAndPowersOff() throws Exception {
        assumeTrue(Boolean.getBoolean("jvirt.test.slow"), "slow (minutes): run with -Djvirt.test.slow=true");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/apt-get")) || DefaultGuest.cached(DefaultGuest.cacheDirectory()) != null,
                "needs apt-get (a Debian host) to build the default guest");
        DefaultGuest g = DefaultGuest.ensure();
        try (JvirtGuest vm = new JvirtGuest(TcgAccelerator.create(), g.kernel(), Optional.of(g.initramfs()),
                "console=ttyS0 panic=-1", 1)) {
            assertTrue(vm.await(DefaultGuest.READY_MARKER, Duration.ofMinutes(10)), vm.describe());
            Thread.sleep(1000);
            vm.send("echo jvirt-$((6*7))\n");
            assertTrue(vm.await("jvirt-42\n", Duration.ofMinutes(2)), vm.describe());
            vm.send("poweroff -f\n");
            assertEquals(0, vm.exit(Duration.ofMinutes(2)), vm.describe());
            assertTrue(vm.output().contains("reboot: Power down"), vm.describe());
        }
    }
}
