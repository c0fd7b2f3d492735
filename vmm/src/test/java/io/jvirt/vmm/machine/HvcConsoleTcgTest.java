package io.jvirt.vmm.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvirt.sys.Terminal;
import io.jvirt.vmm.accel.tcg.TcgAccelerator;
import io.jvirt.vmm.guest.DefaultGuest;
import io.jvirt.vmm.guests.JvirtGuest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code jvirt run --console-device hvc} end to end on the software CPU: the default guest
 * (Debian's cloud kernel, virtio_console.ko loaded by its /init) boots with console=hvc0, so the
 * ready marker and the shell travel through the virtio console (the kernel's early log has no
 * console until virtio_console.ko loads); the test types a command into hvc0, reads its output,
 * sees the host terminal's size in the guest and then a resize arrive (VIRTIO_CONSOLE_F_SIZE
 * through a configuration-change interrupt), and the guest powers off.
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
        AtomicReference<Terminal.Size> size = new AtomicReference<>(new Terminal.Size(100, 30));
        try (JvirtGuest vm = new JvirtGuest(TcgAccelerator.create(), config,
                (in, out) -> new StreamConsole(in, out, false, () -> Optional.of(size.get())))) {
            assertTrue(vm.await(DefaultGuest.READY_MARKER, Duration.ofMinutes(10)), vm.describe());
            assertTrue(vm.await("/ # ", Duration.ofMinutes(2)), "the shell's prompt on hvc0: " + vm.describe());
            vm.send("echo jvirt-$((6*7)) on $(tty)\n");
            assertTrue(vm.await("jvirt-42 on /dev/hvc0", Duration.ofMinutes(2)), vm.describe());
            // VIRTIO_CONSOLE_F_SIZE: the host terminal's size, then a resize through a config-change interrupt.
            vm.send("echo size $(stty size)\n");
            assertTrue(vm.await("size 30 100", Duration.ofMinutes(2)), vm.describe());
            size.set(new Terminal.Size(120, 40));
            Thread.sleep(2000); // the console looks at the size twice a second
            vm.send("echo resized $(stty size)\n");
            assertTrue(vm.await("resized 40 120", Duration.ofMinutes(2)), vm.describe());
            vm.send("poweroff -f\n");
            assertEquals(0, vm.exit(Duration.ofMinutes(2)), vm.describe());
        }
    }
}
