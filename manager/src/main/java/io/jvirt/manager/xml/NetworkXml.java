package io.jvirt.manager.xml;

import static io.jvirt.manager.xml.XmlText.attr;
import static io.jvirt.manager.xml.XmlText.child;
import static io.jvirt.manager.xml.XmlText.childText;
import static io.jvirt.manager.xml.XmlText.children;

import io.jvirt.manager.VirtException;
import io.jvirt.net.BridgeNetwork;
import io.jvirt.net.Ipv4Text;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * A virtual network in libvirt's network XML (formatnetwork): name, uuid, forward mode (nat,
 * route, or none for an isolated network) and dev, bridge name/stp/delay, mac, mtu, domain, and
 * IPv4 addresses with DHCP ranges and hosts. Like {@link DomainXml} it sits on the parsed DOM, so
 * elements jvirt does not know survive a round trip. {@link #spec} is what the host builds.
 */
public final class NetworkXml {

    private final Document doc;

    private NetworkXml(Document doc) {
        this.doc = doc;
    }

    /** Parses and validates; {@code source} names the input in syntax errors (virsh: network_definition). */
    public static NetworkXml parse(String xml, String source) throws VirtException {
        Document d = XmlText.parse(xml, source);
        NetworkValidator.validateAndNormalize(d.getDocumentElement());
        return new NetworkXml(d);
    }

    public NetworkXml copy() {
        return new NetworkXml(XmlText.copy(doc));
    }

    private Element root() {
        return doc.getDocumentElement();
    }

    public String name() {
        return childText(root(), "name");
    }

    public UUID uuid() {
        return UUID.fromString(childText(root(), "uuid"));
    }

    /** The bridge's name, or null until one is assigned. */
    public String bridge() {
        return attr(child(root(), "bridge"), "name");
    }

    /** Sets the bridge name, keeping it first among {@code <bridge>}'s attributes as libvirt writes it. */
    public void setBridge(String name) {
        Element br = child(root(), "bridge");
        String stp = attr(br, "stp");
        String delay = attr(br, "delay");
        XmlText.removeAttr(br, "stp");
        XmlText.removeAttr(br, "delay");
        XmlText.setAttr(br, "name", name);
        XmlText.setAttr(br, "stp", stp);
        XmlText.setAttr(br, "delay", delay);
    }

    public String mac() {
        return attr(child(root(), "mac"), "address");
    }

    /** Adds {@code <mac address>} (libvirt generates one for every bridge it creates). */
    public void setMac(String mac) {
        XmlText.setAttr(XmlText.ensureChild(root(), "mac"), "address", mac);
        NetworkValidator.sort(root());
    }

    /** The forward mode: nat, route, ..., or null for an isolated network. */
    public String forwardMode() {
        return attr(child(root(), "forward"), "mode");
    }

    /** The IPv4 subnets of this network in CIDR form (for overlap checks). */
    public List<String> subnets() {
        List<String> out = new ArrayList<>();
        for (Element ip : children(root(), "ip")) {
            String a = attr(ip, "address");
            int len = Ipv4Text.valid(a) ? NetworkValidator.prefixOf(ip) : -1;
            if (len >= 0) {
                out.add(new BridgeNetwork.Ipv4(a, len, List.of(), List.of()).subnet());
            }
        }
        return out;
    }

    /**
     * What the host must build for this network; refuses, with the fix, what jvirt cannot run:
     * forward modes other than nat and route, IPv6, and more than one IPv4 address.
     */
    public BridgeNetwork spec() throws VirtException {
        String mode = forwardMode();
        BridgeNetwork.Forward fwd;
        if (mode == null) {
            fwd = BridgeNetwork.Forward.ISOLATED;
        } else if (mode.equals("nat")) {
            fwd = BridgeNetwork.Forward.NAT;
        } else if (mode.equals("route")) {
            fwd = BridgeNetwork.Forward.ROUTE;
        } else {
            throw VirtException.unsupported("forward mode '" + mode + "' of network '" + name()
                    + "' is not supported by jvirt; use <forward mode='nat'/>, mode='route', or no <forward> (isolated)");
        }
        BridgeNetwork.Ipv4 v4 = null;
        for (Element ip : children(root(), "ip")) {
            String a = attr(ip, "address");
            if ("ipv6".equals(attr(ip, "family")) || (a != null && a.contains(":"))) {
                throw VirtException.unsupported("network '" + name() + "' has IPv6 address '" + a
                        + "', which jvirt does not run yet; remove that <ip>");
            }
            if (v4 != null) {
                throw VirtException.unsupported("network '" + name() + "' has more than one IPv4 <ip>; jvirt runs one");
            }
            v4 = ipv4(ip);
        }
        Element br = child(root(), "bridge");
        Element mtu = child(root(), "mtu");
        try {
            return new BridgeNetwork(name(), bridge(), mac(), mtu == null ? 0 : Integer.parseInt(attr(mtu, "size")),
                    "on".equals(attr(br, "stp")), Integer.parseInt(attr(br, "delay")), fwd,
                    attr(child(root(), "forward"), "dev"), attr(child(root(), "domain"), "name"), v4);
        } catch (IllegalArgumentException e) {
            throw VirtException.unsupported(e.getMessage());
        }
    }

    private BridgeNetwork.Ipv4 ipv4(Element ip) throws VirtException {
        String a = attr(ip, "address");
        int len = NetworkValidator.prefixOf(ip);
        if (len < 0) {
            throw VirtException.unsupported("network '" + name() + "' address " + a
                    + " has no usable netmask; give <ip prefix='24'> or a contiguous netmask");
        }
        List<BridgeNetwork.Range> ranges = new ArrayList<>();
        List<BridgeNetwork.Host> hosts = new ArrayList<>();
        Element dhcp = child(ip, "dhcp");
        if (dhcp != null) {
            for (Element r : children(dhcp, "range")) {
                ranges.add(new BridgeNetwork.Range(attr(r, "start"), attr(r, "end")));
            }
            for (Element h : children(dhcp, "host")) {
                String hip = attr(h, "ip");
                if (!Ipv4Text.sameSubnet(hip, a, len)) {
                    throw VirtException.unsupported("DHCP host " + hip + " of network '" + name() + "' is outside "
                            + a + "/" + len + "; give it an address in the network");
                }
                hosts.add(new BridgeNetwork.Host(attr(h, "mac"), attr(h, "name"), hip));
            }
        }
        return new BridgeNetwork.Ipv4(a, len, ranges, hosts);
    }

    /** libvirt's formatting, including its quirk of writing an empty {@code <ip>} as an open and a close tag. */
    public String format() {
        String s = XmlText.format(root());
        return s.replaceAll("(?m)^( *)<ip ([^>]*)/>$", "$1<ip $2>\n$1</ip>");
    }

    @Override
    public String toString() {
        return format();
    }
}
