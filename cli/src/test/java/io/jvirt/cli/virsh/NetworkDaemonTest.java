package io.jvirt.cli.virsh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvirt.net.Netns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Virtual networks end to end through the CLI and its daemon, both inside a network namespace
 * this test creates (needs root, dnsmasq, nft, busybox, gcc): net-define assigns virbr0 and a
 * MAC; net-start builds the bridge, the nftables table and dnsmasq; a domain on the network gets
 * a TAP on its bridge; a client in a second namespace, joined by a veth, gets a DHCP lease from
 * busybox udhcpc that net-dhcp-leases shows; a SIGKILLed daemon's successor re-adopts the network
 * (same dnsmasq), or restores a dnsmasq that died meanwhile around the same bridge; autostart networks start with the daemon; undefine of an active network leaves
 * it running as a transient one; destroy removes bridge, table and dnsmasq.
 */
class NetworkDaemonTest extends DaemonProcesses {

    private static final String NET = """
            <network>
              <name>default</name>
              <forward mode='nat'/>
              <ip address='10.66.0.1' netmask='255.255.255.0'>
                <dhcp>
                  <range start='10.66.0.10' end='10.66.0.20'/>
                </dhcp>
              </ip>
            </network>
            """;

    private long dnsmasqPid() throws Exception {
        return Long.parseLong(Files.readString(dir.resolve("root/run/networks/default.pid")).strip());
    }

    /** A net-list row with these cells, whatever the column widths. */
    private static boolean row(String out, String cells) {
        return Pattern.compile("(?m)^ " + cells.replace(" ", " +") + "$").matcher(out).find();
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private void killDaemon() throws Exception {
        ProcessHandle daemon = ProcessHandle.of(pid("jvirtd.pid")).orElseThrow();
        daemon.destroyForcibly();
        daemon.onExit().get(30, TimeUnit.SECONDS);
    }

    @Test
    void natNetworkWithDhcpDomainTapsRestartAndAutostart() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for namespaces, bridges, nft and dnsmasq");
        for (String tool : List.of("/usr/bin/gcc", "/usr/sbin/dnsmasq", "/usr/sbin/nft", "/usr/bin/busybox", "/usr/sbin/sysctl")) {
            assumeTrue(Files.isExecutable(Path.of(tool)), tool + " missing; scripts/install-deps installs it");
        }
        String tag = "jvd" + ProcessHandle.current().pid() % 100000;
        try (Netns n = Netns.create(tag + "h"); Netns client = Netns.create(tag + "c")) {
            prefix = List.of("ip", "netns", "exec", n.name());
            try {
                run(n, client);
            } finally {
                if (Files.exists(dir.resolve("root/run/networks/default.pid"))) {
                    ProcessHandle.of(dnsmasqPid()).ifPresent(ProcessHandle::destroyForcibly);
                }
                killAll(); // the daemon and dnsmasq run in the namespace: stop them before it goes
            }
        }
    }

    private void run(Netns n, Netns client) throws Exception {
        Files.writeString(dir.resolve("net.xml"), NET);
        String out = jvirt("net-define net.xml; net-start default; net-list --all; net-info default; net-dumpxml default");
        assertTrue(out.startsWith("Network default defined from net.xml\n\nNetwork default started\n\n"), out);
        assertTrue(row(out, "default active no yes"), out);
        assertTrue(out.contains("Bridge:         virbr0\n"), "the lowest free virbrN: " + out);
        assertTrue(out.contains("<bridge name='virbr0' stp='on' delay='0'/>\n  <mac address='52:54:00:"), out);
        String link = n.ip("-d", "link", "show", "dev", "virbr0");
        assertTrue(link.contains("bridge"), link);
        assertTrue(n.ip("address", "show", "dev", "virbr0").contains("inet 10.66.0.1/24"));
        String table = n.exec("nft", "list", "table", "ip", "jvirt_virbr0");
        assertTrue(table.contains("masquerade") && table.contains("10.66.0.0/24"), table);
        long dnsmasq = dnsmasqPid();
        assertTrue(alive(dnsmasq), "dnsmasq " + dnsmasq);

        out = jvirt("net-start default; net-define net.xml");
        assertTrue(out.contains("error: Failed to start network default\nerror: Requested operation is not valid:"
                + " Network 'default' is already running\n"), out);
        assertTrue(out.contains("error: Failed to define network from net.xml\nerror: operation failed: network 'default'"
                + " already exists with uuid "), "no <uuid>: a new network of the same name: " + out);
        String uuid = jvirt("net-uuid default").strip();
        Files.writeString(dir.resolve("net2.xml"), NET.replace("<name>default</name>", "<name>default</name><uuid>" + uuid
                + "</uuid>").replace("10.66.0.20", "10.66.0.30"));
        out = jvirt("net-define net2.xml; net-dumpxml default --inactive; net-dumpxml default");
        assertTrue(out.startsWith("Network default defined from net2.xml\n"), out);
        assertTrue(out.contains("<bridge name='virbr0'") && out.contains("10.66.0.30") && out.contains("10.66.0.20"),
                "a redefinition keeps the bridge and applies at the next start: " + out);

        // A domain on the network gets a TAP on its bridge; one on an inactive network does not start.
        Path elf = spinGuest();
        String dom = "<domain type='qemu'><name>g</name><memory unit='MiB'>32</memory><os><type>hvm</type><kernel>" + elf
                + "</kernel></os><devices><interface type='network'><mac address='52:54:00:ab:cd:01'/>"
                + "<source network='default'/><model type='virtio'/></interface></devices></domain>";
        Files.writeString(dir.resolve("g.xml"), dom);
        Files.writeString(dir.resolve("iso.xml"), "<network><name>iso</name><bridge name='jviso0'/></network>");
        Files.writeString(dir.resolve("h.xml"), dom.replace("<name>g</name>", "<name>h</name>")
                .replace("'default'", "'iso'").replace(":01'", ":02'"));
        out = jvirt("define g.xml; start g; net-define iso.xml; define h.xml; start h");
        assertTrue(out.contains("Domain 'g' started\n"), out);
        assertTrue(n.ip("link", "show", "dev", "vnet0").contains("master virbr0"), "the TAP is on the network's bridge");
        assertTrue(out.contains("error: Failed to start domain 'h'\nerror: Requested operation is not valid:"
                + " network 'iso' is not active\n"), out);
        out = jvirt("destroy g");
        assertFalse(n.ip("link", "show").contains("vnet0"), "the TAP outlived the domain");

        // DHCP from a second namespace joined by a veth.
        n.addVeth("vc0", client, "eth0");
        n.attach("vc0", "virbr0");
        String dhcp = client.exec("busybox", "udhcpc", "-i", "eth0", "-n", "-q", "-t", "15", "-T", "2", "-s", "/bin/true");
        Matcher m = Pattern.compile("lease of (10\\.66\\.0\\.(\\d+)) obtained").matcher(dhcp);
        assertTrue(m.find(), dhcp);
        int last = Integer.parseInt(m.group(2));
        assertTrue(last >= 10 && last <= 20, "lease " + m.group(1) + " outside the range");
        String mac = client.ip("link", "show", "dev", "eth0").replaceAll("(?s).*link/ether (\\S+).*", "$1");
        out = jvirt("net-dhcp-leases default");
        assertTrue(out.startsWith(" Expiry Time           MAC address         Protocol   IP address        Hostname   Client ID or DUID\n")
                || out.startsWith(" Expiry Time "), out);
        assertTrue(out.contains(mac + "   ipv4       " + m.group(1) + "/24"), out);

        // A killed daemon's successor re-adopts the running network: same dnsmasq, same bridge.
        killDaemon();
        out = jvirt("net-list; net-info default");
        assertTrue(row(out, "default active no yes"), out);
        assertEquals(dnsmasq, dnsmasqPid(), "the network was rebuilt instead of re-adopted");
        assertTrue(alive(dnsmasq));
        assertTrue(jvirt("net-dhcp-leases default").contains(m.group(1) + "/24"), "leases survive the daemon restart");

        // dnsmasq died while no daemon ran: the next daemon restores it around the bridge, ports stay attached.
        killDaemon();
        ProcessHandle.of(dnsmasq).orElseThrow().destroy();
        ProcessHandle.of(dnsmasq).ifPresent(p -> p.onExit().join());
        out = jvirt("net-list");
        assertTrue(row(out, "default active no yes"), out);
        assertTrue(dnsmasqPid() != dnsmasq && alive(dnsmasqPid()), "a new dnsmasq");
        dnsmasq = dnsmasqPid();
        assertTrue(n.ip("link", "show", "dev", "vc0").contains("master virbr0"), "the client's port stayed on the bridge");

        // Autostart: a destroyed autostart network comes back with the next daemon.
        out = jvirt("net-autostart default; net-destroy default; net-list --all --autostart");
        assertTrue(out.contains("Network default marked as autostarted\n\nNetwork default destroyed\n\n"), out);
        assertTrue(row(out, "default inactive yes yes"), out);
        assertFalse(alive(dnsmasq), "dnsmasq outlived net-destroy");
        assertFalse(n.ip("link", "show").contains("virbr0"), "the bridge outlived net-destroy");
        killDaemon();
        out = jvirt("net-list");
        assertTrue(row(out, "default active yes yes"), "autostart on daemon start: " + out);
        long restarted = dnsmasqPid();
        assertTrue(alive(restarted));

        // Undefining an active network leaves it running, transient; destroying it removes everything.
        out = jvirt("net-undefine default; net-list --all; net-destroy default; net-destroy default; net-list --all");
        assertTrue(out.startsWith("Network default has been undefined\n\n"), out);
        assertTrue(row(out, "default active no no"), out);
        assertTrue(out.contains("Network default destroyed\n"), out);
        assertTrue(out.contains("error: failed to get network 'default'\nerror: Network not found: no network with matching"
                + " name 'default'\n"), out);
        assertFalse(alive(restarted), "dnsmasq outlived net-destroy");
        assertFalse(n.ip("link", "show").contains("virbr0"), "the bridge outlived net-destroy");
        assertFalse(n.exec("nft", "list", "tables").contains("jvirt_virbr0"), "the table outlived net-destroy");
        assertFalse(Files.exists(dir.resolve("root/networks/default.xml")), "the definition outlived undefine");
    }
}
