package io.jvirt.cli.virsh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvirt.net.Netns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code <interface type='bridge'>} end to end inside a network namespace this test creates
 * (needs root): the daemon, started by the CLI in the namespace, creates TAP vnet0, plugs it
 * into the namespace's bridge and hands it to {@code jvirt run --net tap=vnet0,mac=...} (the
 * TAP gets its carrier once the VMM has it open); destroying the domain, even through a daemon
 * started after the first was SIGKILLed, removes the TAP.
 * {@code type='network'} with no such jvirt network is virsh's one-line error (NetworkDaemonTest has networks).
 */
class BridgeDomainTest extends DaemonProcesses {

    @Test
    void bridgedNicGetsADaemonMadeTapThatGoesAwayWithTheDomain() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to create a network namespace, a bridge and TAPs");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcc")), "gcc builds the guest; scripts/install-deps installs it");
        String ns = "jvb" + ProcessHandle.current().pid() % 100000;
        try (Netns n = Netns.create(ns)) {
            n.addBridge("br0");
            prefix = List.of("ip", "netns", "exec", ns);
            Path elf = spinGuest();
            String nic = "<interface type='bridge'><mac address='52:54:00:ab:cd:01'/><source bridge='br0'/>"
                    + "<model type='virtio'/></interface>";
            Files.writeString(dir.resolve("b.xml"), "<domain type='qemu'><name>b</name><memory unit='MiB'>32</memory>"
                    + "<os><type>hvm</type><kernel>" + elf + "</kernel></os><devices>" + nic + "</devices></domain>");
            String out = jvirt("define b.xml; start b");
            assertTrue(out.contains("Domain 'b' started\n"), out);
            String link = n.ip("-d", "link", "show", "dev", "vnet0");
            assertTrue(link.contains("master br0"), link);
            assertFalse(link.contains("NO-CARRIER"), "the VMM holds the TAP open: " + link);
            String args = String.join(" ", ProcessHandle.of(pid("b.json")).orElseThrow().info().arguments().orElseThrow());
            assertTrue(args.contains("--net tap=vnet0,mac=52:54:00:ab:cd:01"), args);
            assertTrue(jvirt("dumpxml b").contains("<source bridge='br0'/>"));

            // A daemon killed meanwhile: the next one re-adopts the VM and still knows its TAP.
            ProcessHandle daemon = ProcessHandle.of(pid("jvirtd.pid")).orElseThrow();
            daemon.destroyForcibly();
            daemon.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
            out = jvirt("destroy b");
            assertEquals("Domain 'b' destroyed\n\n", out);
            assertFalse(n.ip("link", "show").contains("vnet0"), "the TAP outlived the domain");

            // type='network': jvirt has no network of that name.
            Files.writeString(dir.resolve("n.xml"), Files.readString(dir.resolve("b.xml")).replace("<name>b</name>", "<name>n</name>")
                    .replace("type='bridge'", "type='network'").replace("<source bridge='br0'/>", "<source network='default'/>"));
            out = jvirt("define n.xml; start n");
            assertTrue(out.contains("error: Failed to start domain 'n'\nerror: Network not found: no network with matching"
                    + " name 'default'\n"), out);
            // A missing bridge names the fix, and leaves no TAP behind.
            Files.writeString(dir.resolve("m.xml"), Files.readString(dir.resolve("b.xml")).replace("<name>b</name>", "<name>m</name>")
                    .replace("br0", "nosuchbr").replace("52:54:00:ab:cd:01", "52:54:00:ab:cd:02"));
            out = jvirt("define m.xml; start m");
            assertTrue(out.contains("error: operation failed: cannot attach domain 'm' to bridge 'nosuchbr': no such interface;"
                    + " create it (ip link add nosuchbr type bridge) or fix <source bridge>\n"), out);
            assertFalse(n.ip("link", "show").contains("vnet"), "a TAP was left behind");
            killAll(); // the daemon runs in the namespace: stop it before the namespace goes
        }
    }
}
