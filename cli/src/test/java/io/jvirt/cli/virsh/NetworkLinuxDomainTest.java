package io.jvirt.cli.virsh;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvirt.net.Netns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Linux on the software CPU as a domain on jvirt's NAT network 'default', all inside a network
 * namespace this test creates: the daemon builds the network (bridge, nftables, dnsmasq), gives
 * the domain a TAP on its bridge, and the guest's busybox udhcpc gets a lease from dnsmasq, which
 * {@code net-dhcp-leases} then shows with the guest's MAC and hostname. Needs root; slow (a
 * minute or two on tcg): runs with -Djvirt.test.slow=true, as ./test and CI do.
 */
@Tag("linux")
class NetworkLinuxDomainTest extends DaemonProcesses {

    private static final String MAC = "52:54:00:6e:65:74";

    @Test
    void linuxDomainGetsALeaseOnTheDefaultNetwork() throws Exception {
        assumeTrue(Boolean.getBoolean("jvirt.test.slow"), "slow (Linux on tcg): run with -Djvirt.test.slow=true");
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for namespaces, bridges, nft and dnsmasq");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "/dev/net/tun missing (modprobe tun)");
        for (String tool : List.of("/usr/sbin/dnsmasq", "/usr/sbin/nft", "/usr/sbin/sysctl")) {
            assumeTrue(Files.isExecutable(Path.of(tool)), tool + " missing; scripts/install-deps installs it");
        }
        ModularGuest.Files2 guest = ModularGuest.build(dir, String.join("\n",
                "ip link set eth0 up",
                "udhcpc -i eth0 -n -q -t 30 -T 3 -s /bin/true -x hostname:jguest 2>&1",
                "echo \"== dhcp done $?\""));
        String ns = "jvl" + ProcessHandle.current().pid() % 100000;
        try (Netns n = Netns.create(ns)) {
            prefix = List.of("ip", "netns", "exec", ns);
            try {
                Files.writeString(dir.resolve("net.xml"), "<network><name>default</name><forward mode='nat'/>"
                        + "<ip address='10.67.0.1' prefix='24'><dhcp><range start='10.67.0.100' end='10.67.0.120'/>"
                        + "</dhcp></ip></network>");
                Files.writeString(dir.resolve("g.xml"), """
                        <domain type='qemu'>
                          <name>g</name>
                          <memory unit='MiB'>256</memory>
                          <os><type>hvm</type><kernel>%s</kernel><initrd>%s</initrd><cmdline>console=ttyS0 panic=-1</cmdline></os>
                          <devices>
                            <interface type='network'>
                              <mac address='%s'/>
                              <source network='default'/>
                              <model type='virtio'/>
                            </interface>
                          </devices>
                        </domain>
                        """.formatted(guest.kernel(), guest.initrd(), MAC));
                String out = jvirt("net-define net.xml; net-start default; define g.xml; start g");
                assertTrue(out.contains("Network default started\n") && out.contains("Domain 'g' started\n"), out);
                String text = console(dir.resolve("root/run/g.console"), "== dhcp done", 1, 600);
                assertTrue(text.contains("== dhcp done 0"), text);
                assertTrue(text.matches("(?s).*lease of 10\\.67\\.0\\.1(\\d\\d) obtained.*"), text);
                out = jvirt("net-dhcp-leases default; destroy g; net-destroy default");
                assertTrue(out.matches("(?s).*" + MAC + " +ipv4 +10\\.67\\.0\\.1\\d\\d/24 +jguest .*"), out);
                assertTrue(out.contains("Network default destroyed\n"), out);
            } finally {
                killAll(); // the daemon runs in the namespace: stop it before the namespace goes
            }
        }
    }
}
