package io.jvirt.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvirt.net.BridgeNetwork.Forward;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A NAT network built for real inside a namespace this test creates (needs root, dnsmasq, nft,
 * busybox): the bridge, the nftables table and dnsmasq exist; two clients in a second namespace,
 * joined by veths to the bridge, get DHCP leases from busybox udhcpc (one in the range, one a
 * fixed host); the lease file shows them; a new NetworkHost finds the network running (what a
 * restarted daemon re-adopts); stopping removes all of it, twice without complaint.
 */
class NetworkHostTest {
    private static final String TAG = "jvh" + ProcessHandle.current().pid() % 100000;

    @TempDir
    Path state;

    @BeforeAll
    static void needs() {
        assumeTrue("root".equals(System.getProperty("user.name")), "network namespaces need root");
        for (String tool : List.of("/usr/sbin/dnsmasq", "/usr/sbin/nft", "/usr/bin/busybox", "/usr/sbin/sysctl")) {
            assumeTrue(Files.isExecutable(Path.of(tool)), tool + " missing; run scripts/install-deps");
        }
    }

    private static BridgeNetwork nat() {
        return new BridgeNetwork("t1", "jvbr0", "52:54:00:0a:0b:0c", 0, true, 0, Forward.NAT, null, "t1.test",
                new BridgeNetwork.Ipv4("10.77.0.1", 24, List.of(new BridgeNetwork.Range("10.77.0.10", "10.77.0.20")),
                        List.of(new BridgeNetwork.Host("52:54:00:00:00:51", "fixed", "10.77.0.51"))));
    }

    private static String udhcpc(Netns client, String ifname) {
        // -n: fail instead of backgrounding; -q: quit once leased; -s /bin/true: do not configure the interface.
        return client.exec("busybox", "udhcpc", "-i", ifname, "-n", "-q", "-t", "15", "-T", "2", "-s", "/bin/true");
    }

    private static String leasedIp(String out) {
        Matcher m = Pattern.compile("lease of ([0-9.]+) obtained").matcher(out);
        assertTrue(m.find(), out);
        return m.group(1);
    }

    @Test
    void natNetworkServesDhcpAndGoesAwayCompletely() {
        try (Netns host = Netns.create(TAG + "h"); Netns client = Netns.create(TAG + "c")) {
            NetworkHost h = NetworkHost.in(host.name(), state);
            BridgeNetwork n = nat();
            long pid = h.start(n);
            assertEquals(pid, h.dnsmasqPid("t1"));
            assertTrue(pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "dnsmasq pid " + pid);
            String link = host.ip("-d", "link", "show", "dev", "jvbr0");
            assertTrue(link.contains("link/ether 52:54:00:0a:0b:0c") && link.contains("bridge"), link);
            assertTrue(host.ip("address", "show", "dev", "jvbr0").contains("inet 10.77.0.1/24"));
            String table = host.exec("nft", "list", "table", "ip", "jvirt_jvbr0");
            assertTrue(table.contains("masquerade") && table.contains("10.77.0.0/24"), table);
            assertEquals("1", host.exec("sysctl", "-n", "net.ipv4.ip_forward").strip());
            assertTrue(h.running(n));
            assertThrows(NetException.class, () -> h.start(n), "a second start over the same bridge");
            assertTrue(h.running(n), "the refused start left the running network alone");

            host.addVeth("va", client, "ca");
            host.attach("va", "jvbr0");
            host.addVeth("vb", client, "cb");
            host.attach("vb", "jvbr0");
            client.ip("link", "set", "dev", "cb", "address", "52:54:00:00:00:51");
            String a = leasedIp(udhcpc(client, "ca"));
            int last = Integer.parseInt(a.substring(a.lastIndexOf('.') + 1));
            assertTrue(a.startsWith("10.77.0.") && last >= 10 && last <= 20, "lease " + a + " outside the range");
            assertEquals("10.77.0.51", leasedIp(udhcpc(client, "cb")), "the fixed host's address");
            List<DhcpLease> leases = h.leases("t1");
            assertTrue(leases.stream().anyMatch(l -> l.ip().equals(a)), leases.toString());
            assertTrue(leases.stream().anyMatch(l -> l.ip().equals("10.77.0.51") && l.mac().equals("52:54:00:00:00:51")),
                    leases.toString());

            assertTrue(NetworkHost.in(host.name(), state).running(n), "a new manager sees the network running");

            // A dead dnsmasq and a lost table are repaired in place; the clients' ports stay on the bridge.
            ProcessHandle.of(pid).orElseThrow().destroy();
            host.exec("nft", "delete", "table", "ip", "jvirt_jvbr0");
            assertFalse(h.running(n));
            assertTrue(h.repair(n));
            assertTrue(h.running(n));
            assertTrue(host.ip("link", "show", "dev", "va").contains("master jvbr0"));
            assertEquals("10.77.0.51", leasedIp(udhcpc(client, "cb")), "dnsmasq answers again after the repair");
            pid = h.dnsmasqPid("t1");
            h.stop(n);
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "dnsmasq still runs");
            assertFalse(host.ip("link", "show").contains("jvbr0"), "the bridge is still there");
            assertFalse(host.exec("nft", "list", "tables").contains("jvirt_jvbr0"), "the table is still there");
            assertFalse(h.running(n));
            assertTrue(h.leases("t1").isEmpty());
            h.stop(n); // idempotent
            assertFalse(h.repair(n), "no bridge: nothing to repair");
            assertFalse(h.running(n));
        }
    }

    @Test
    void isolatedNetworkWithoutAddressHasNoDnsmasq() {
        try (Netns host = Netns.create(TAG + "i")) {
            NetworkHost h = NetworkHost.in(host.name(), state);
            BridgeNetwork n = new BridgeNetwork("iso", "jviso0", null, 1400, false, 0, Forward.ISOLATED, null, null, null);
            assertEquals(0, h.start(n));
            assertTrue(host.ip("link", "show", "dev", "jviso0").contains("mtu 1400"));
            String table = host.exec("nft", "list", "table", "ip", "jvirt_jviso0");
            assertTrue(table.contains("reject") && !table.contains("masquerade"), table);
            assertTrue(h.running(n));
            h.stop(n);
            assertFalse(h.running(n));
        }
    }
}
