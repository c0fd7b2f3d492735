package io.jvirt.cli.virsh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The daemon supervising the real {@code jvirt run} on the software CPU: a gcc-built guest that
 * prints "Hi" on COM1 and spins. Skips until {@code jvirt run} takes {@code --control}.
 */
class RealVmmTest extends DaemonProcesses {

    @Test
    void daemonDrivesRealVmmOnTheSoftwareCpu() throws Exception {
        assumeTrue(runHasControl(), "jvirt run has no --control yet (the lead wires vmm.control.MachineControl into it)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcc")), "gcc builds the guest; scripts/install-deps installs it");
        spinGuest();
        Files.writeString(dir.resolve("spin.xml"), "<domain type='qemu'><name>spin</name><memory unit='MiB'>32</memory>"
                + "<os><type>hvm</type><kernel>" + dir.resolve("spin.elf") + "</kernel></os></domain>");

        String out = jvirt("define spin.xml; start spin; suspend spin; domstate spin --reason; resume spin; reset spin");
        assertTrue(out.contains("Domain 'spin' started\n") && out.contains("paused (user)\n")
                && out.contains("Domain 'spin' was reset\n"), out);
        Path consoleFile = dir.resolve("root/run/spin.console");
        console(consoleFile, "Hi\n", 2);
        long vmm = pid("spin.json");
        ProcessHandle daemon = ProcessHandle.of(pid("jvirtd.pid")).orElseThrow();
        daemon.destroyForcibly();
        daemon.onExit().get(10, TimeUnit.SECONDS);
        assertTrue(ProcessHandle.of(vmm).map(ProcessHandle::isAlive).orElse(false), "the VM died with the daemon");
        out = jvirt("domstate spin --reason; destroy spin; domstate spin --reason");
        assertEquals("running (booted)\n\nDomain 'spin' destroyed\n\nshut off (destroyed)\n\n", out);
        assertTrue(ProcessHandle.of(vmm).map(h -> !h.isAlive()).orElse(true));
    }
}
