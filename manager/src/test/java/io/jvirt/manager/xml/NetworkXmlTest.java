package io.jvirt.manager.xml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.manager.VirtException;
import io.jvirt.net.BridgeNetwork;
import java.util.List;
import org.junit.jupiter.api.Test;

/** formatnetwork parsing: libvirt's normalization and error texts, unknown content kept, the host spec. */
class NetworkXmlTest {

    static final String FULL = """
            <network xmlns:x='urn:x' x:tag='kept'>
              <ip netmask='255.255.255.0' address='192.168.100.1'>
                <dhcp>
                  <host ip='192.168.100.50' name='web' mac='52:54:00:AA:00:01'/>
                  <range end='192.168.100.99' start='192.168.100.10'/>
                </dhcp>
                <tftp root='/srv/tftp'/>
              </ip>
              <future-thing level='3'><inner/></future-thing>
              <domain name='lab.test'/>
              <mtu size='9000'/>
              <bridge delay='2' name='labbr0' stp='off'/>
              <forward mode='nat' dev='eth1'/>
              <uuid>0123456789ABCDEF0123456789abcdef</uuid>
              <name>lab</name>
            </network>
            """;

    @Test
    void normalizesLikeLibvirtAndKeepsWhatItDoesNotKnow() throws Exception {
        NetworkXml n = NetworkXml.parse(FULL, "lab.xml");
        assertEquals("""
                <network xmlns:x='urn:x' x:tag='kept'>
                  <name>lab</name>
                  <uuid>01234567-89ab-cdef-0123-456789abcdef</uuid>
                  <forward dev='eth1' mode='nat'>
                    <interface dev='eth1'/>
                  </forward>
                  <bridge name='labbr0' stp='off' delay='2'/>
                  <mtu size='9000'/>
                  <domain name='lab.test'/>
                  <ip address='192.168.100.1' netmask='255.255.255.0'>
                    <dhcp>
                      <host mac='52:54:00:AA:00:01' name='web' ip='192.168.100.50'/>
                      <range start='192.168.100.10' end='192.168.100.99'/>
                    </dhcp>
                    <tftp root='/srv/tftp'/>
                  </ip>
                  <future-thing level='3'>
                    <inner/>
                  </future-thing>
                </network>
                """, n.format());
        assertEquals(n.format(), NetworkXml.parse(n.format(), "again").format(), "a second round trip changes nothing");
        BridgeNetwork s = n.spec();
        assertEquals(BridgeNetwork.Forward.NAT, s.forward());
        assertEquals("eth1", s.forwardDev());
        assertEquals("labbr0", s.bridge());
        assertEquals(9000, s.mtu());
        assertEquals(false, s.stp());
        assertEquals(2, s.delay());
        assertEquals("lab.test", s.domain());
        assertEquals(24, s.ip().prefix());
        assertEquals("192.168.100.0/24", s.ip().subnet());
        assertEquals(List.of(new BridgeNetwork.Range("192.168.100.10", "192.168.100.99")), s.ip().ranges());
        assertEquals(List.of(new BridgeNetwork.Host("52:54:00:AA:00:01", "web", "192.168.100.50")), s.ip().hosts());
    }

    @Test
    void defaultsIsolatedNetworkAndEmptyIpQuirk() throws Exception {
        NetworkXml n = NetworkXml.parse("<network><name>iso</name><ip address='10.1.2.3'/></network>", "iso.xml");
        assertNull(n.bridge());
        assertNull(n.forwardMode());
        assertTrue(n.format().contains("  <bridge stp='on' delay='0'/>\n  <ip address='10.1.2.3'>\n  </ip>\n"), n.format());
        n.setBridge("virbr7");
        n.setMac("52:54:00:01:02:03");
        assertTrue(n.format().contains("<bridge name='virbr7' stp='on' delay='0'/>\n  <mac address='52:54:00:01:02:03'/>\n"),
                n.format());
        BridgeNetwork s = n.spec();
        assertEquals(BridgeNetwork.Forward.ISOLATED, s.forward());
        assertEquals(8, s.ip().prefix(), "class A default, as libvirt's virSocketAddrGetIPPrefix");
        assertEquals("nat", NetworkXml.parse("<network><name>f</name><forward/><ip address='10.0.0.1' prefix='8'/></network>",
                "f").forwardMode(), "a <forward> without mode is NAT");
    }

    private static String error(String xml) {
        return assertThrows(VirtException.class, () -> NetworkXml.parse(xml, "network_definition")).getMessage();
    }

    @Test
    void badDefinitionsNameTheElementAndValue() {
        assertEquals("missing name information", error("<network/>"));
        assertEquals("XML error: expecting root element of 'network', not 'net'", error("<net/>"));
        assertEquals("internal error: malformed uuid element", error("<network><name>a</name><uuid>zz</uuid></network>"));
        assertEquals("unsupported configuration: unknown forwarding type 'bogus'",
                error("<network><name>a</name><forward mode='bogus'/></network>"));
        assertEquals("XML error: Invalid address '10.0.0.x' in network 'a'",
                error("<network><name>a</name><ip address='10.0.0.x'/></network>"));
        assertEquals("unsupported configuration: Invalid IPv4 prefix '40' in network 'a'",
                error("<network><name>a</name><ip address='10.0.0.1' prefix='40'/></network>"));
        assertEquals("internal error: range 10.0.1.2 - 10.0.1.9 is not entirely within network 10.0.0.1/24",
                error("<network><name>a</name><ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.1.2' end='10.0.1.9'/>"
                        + "</dhcp></ip></network>"));
        assertEquals("XML error: nat forwarding requested, but no IP address provided for network 'a'",
                error("<network><name>a</name><forward mode='nat'/></network>"));
        assertEquals("XML error: bridge name 'this-name-is-too-long' in network 'a' is not a Linux interface name;"
                + " use 1-15 of A-Z a-z 0-9 _ . -", error("<network><name>a</name><bridge name='this-name-is-too-long'/></network>"));
        assertTrue(error("<network><nam").startsWith("(network_definition):1: "));
    }

    @Test
    void whatJvirtCannotRunIsRefusedAtStartWithTheFix() throws Exception {
        VirtException open = assertThrows(VirtException.class, () -> NetworkXml.parse(
                "<network><name>o</name><forward mode='bridge'/><bridge name='br0'/></network>", "o").spec());
        assertEquals("unsupported configuration: forward mode 'bridge' of network 'o' is not supported by jvirt;"
                + " use <forward mode='nat'/>, mode='route', or no <forward> (isolated)", open.getMessage());
        VirtException v6 = assertThrows(VirtException.class, () -> NetworkXml.parse(
                "<network><name>six</name><bridge name='b6'/><ip family='ipv6' address='fd00::1' prefix='64'/></network>",
                "six").spec());
        assertTrue(v6.getMessage().contains("IPv6 address 'fd00::1'"), v6.getMessage());
        VirtException host = assertThrows(VirtException.class, () -> NetworkXml.parse(
                "<network><name>h</name><bridge name='bh'/><ip address='10.0.0.1' prefix='24'><dhcp>"
                        + "<host mac='52:54:00:00:00:01' ip='10.1.0.5'/></dhcp></ip></network>", "h").spec());
        assertTrue(host.getMessage().contains("DHCP host 10.1.0.5 of network 'h' is outside 10.0.0.1/24"), host.getMessage());
    }
}
