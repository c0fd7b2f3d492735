package io.jvirt.manager.xml;

import static io.jvirt.manager.xml.XmlText.attr;
import static io.jvirt.manager.xml.XmlText.child;
import static io.jvirt.manager.xml.XmlText.childText;
import static io.jvirt.manager.xml.XmlText.children;

import io.jvirt.manager.VirtException;
import io.jvirt.net.Ipv4Text;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.w3c.dom.Element;

/**
 * Checks and normalizes a {@code <network>} document the way libvirt's virNetworkDefParseXML
 * does (formatnetwork); error texts are libvirt's, so virsh users see the messages they know.
 * What jvirt cannot run (forward modes other than nat/route, IPv6) is refused when the network
 * starts, not here, so definitions libvirt accepts are accepted.
 */
final class NetworkValidator {

    private static final Pattern MAC = Pattern.compile("(?i)[0-9a-f]{2}(:[0-9a-f]{2}){5}");
    private static final Pattern UUID_TEXT =
            Pattern.compile("(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}");
    /** formatnetwork's forward modes (virNetworkForwardType). */
    static final Set<String> FORWARD_MODES = Set.of("nat", "route", "open", "bridge", "private", "vepa",
            "passthrough", "hostdev");
    /** libvirt's network child order (virNetworkDefFormatBuf); unknown elements keep their place after these. */
    private static final List<String> ORDER = List.of("name", "uuid", "title", "description", "metadata", "forward",
            "bridge", "mtu", "mac", "domain", "dns", "bandwidth", "vlan", "port", "ip", "route", "virtualport", "portgroup");

    private NetworkValidator() {
    }

    static void validateAndNormalize(Element root) throws VirtException {
        if (!root.getTagName().equals("network")) {
            throw VirtException.xml("expecting root element of 'network', not '" + root.getTagName() + "'");
        }
        String name = childText(root, "name");
        if (name == null || name.isEmpty()) {
            throw new VirtException(VirtException.Code.XML, "missing name information");
        }
        if (name.contains("/")) {
            throw new VirtException(VirtException.Code.XML, "invalid char in name: /");
        }
        uuid(root);
        Element fwd = child(root, "forward");
        String mode = fwd == null ? null : attr(fwd, "mode");
        if (fwd != null) {
            if (mode == null) {
                mode = "nat"; // formatnetwork: a <forward> without mode is NAT
            }
            if (!FORWARD_MODES.contains(mode)) {
                throw VirtException.unsupported("unknown forwarding type '" + mode + "'");
            }
            String dev = attr(fwd, "dev");
            XmlText.removeAttr(fwd, "mode");
            XmlText.removeAttr(fwd, "dev");
            if (dev != null) {
                XmlText.setAttr(fwd, "dev", dev);
                if (children(fwd, "interface").isEmpty()) {
                    Element i = root.getOwnerDocument().createElement("interface");
                    fwd.insertBefore(i, fwd.getFirstChild());
                    XmlText.setAttr(i, "dev", dev);
                }
            }
            XmlText.setAttr(fwd, "mode", mode);
        }
        bridge(root, name);
        Element mtu = child(root, "mtu");
        if (mtu != null && !nonNegative(attr(mtu, "size"))) {
            throw VirtException.xml("Invalid mtu size '" + attr(mtu, "size") + "' in network '" + name + "'");
        }
        Element mac = child(root, "mac");
        if (mac != null && (attr(mac, "address") == null || !MAC.matcher(attr(mac, "address")).matches())) {
            throw VirtException.xml("Invalid bridge mac address '" + attr(mac, "address") + "' in network '" + name + "'");
        }
        if (mac != null) {
            XmlText.setAttr(mac, "address", attr(mac, "address").toLowerCase(Locale.ROOT));
        }
        boolean ipv4 = false;
        for (Element ip : children(root, "ip")) {
            ipv4 |= ip(ip, name);
        }
        if (("nat".equals(mode) || "route".equals(mode)) && !ipv4) {
            throw VirtException.xml(mode + " forwarding requested, but no IP address provided for network '" + name + "'");
        }
        sort(root);
    }

    static void sort(Element root) {
        Order.sortBy(root, ORDER);
    }

    private static void uuid(Element root) throws VirtException {
        String uuid = childText(root, "uuid");
        if (uuid == null) {
            XmlText.setChildText(root, "uuid", UUID.randomUUID().toString());
        } else if (!UUID_TEXT.matcher(uuid).matches()) {
            throw VirtException.internal("malformed uuid element");
        } else {
            String hex = uuid.replace("-", "").toLowerCase(Locale.ROOT);
            child(root, "uuid").setTextContent(hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-"
                    + hex.substring(12, 16) + "-" + hex.substring(16, 20) + "-" + hex.substring(20));
        }
    }

    private static void bridge(Element root, String name) throws VirtException {
        Element br = XmlText.ensureChild(root, "bridge");
        String bname = attr(br, "name");
        String stp = attr(br, "stp");
        String delay = attr(br, "delay");
        if (delay != null && !nonNegative(delay)) {
            throw VirtException.xml("Invalid delay value in network '" + name + "'");
        }
        if (bname != null && !bname.matches("[A-Za-z0-9_.-]{1,15}")) {
            throw VirtException.xml("bridge name '" + bname + "' in network '" + name
                    + "' is not a Linux interface name; use 1-15 of A-Z a-z 0-9 _ . -");
        }
        for (String a : List.of("name", "stp", "delay")) {
            XmlText.removeAttr(br, a);
        }
        if (bname != null) {
            XmlText.setAttr(br, "name", bname);
        }
        XmlText.setAttr(br, "stp", "off".equals(stp) ? "off" : "on");
        XmlText.setAttr(br, "delay", delay == null ? "0" : Long.toString(Long.parseLong(delay)));
    }

    /** One {@code <ip>}; true when it is an IPv4 address. */
    private static boolean ip(Element ip, String name) throws VirtException {
        String family = attr(ip, "family");
        String addr = attr(ip, "address");
        if ("ipv6".equals(family) || (addr != null && addr.contains(":"))) {
            return false; // kept as written; refused when the network starts
        }
        if (addr == null || !Ipv4Text.valid(addr)) {
            throw VirtException.xml("Invalid address '" + addr + "' in network '" + name + "'");
        }
        String netmask = attr(ip, "netmask");
        String prefix = attr(ip, "prefix");
        if (netmask != null && prefix != null) {
            throw VirtException.unsupported("Network '" + name + "' IP address cannot have both a prefix and a netmask");
        }
        if (netmask != null && !Ipv4Text.valid(netmask)) {
            throw VirtException.xml("Invalid netmask '" + netmask + "' in network '" + name + "'");
        }
        if (prefix != null && (!prefix.matches("[0-9]{1,2}") || Integer.parseInt(prefix) > 32)) {
            throw VirtException.unsupported("Invalid IPv4 prefix '" + prefix + "' in network '" + name + "'");
        }
        order(ip, "family", "address", "netmask", "prefix");
        int len = prefixOf(ip);
        Element dhcp = child(ip, "dhcp");
        if (dhcp == null) {
            return true;
        }
        String cidr = addr + "/" + len;
        for (Element r : children(dhcp, "range")) {
            String s = attr(r, "start");
            String e = attr(r, "end");
            if (s == null || e == null || !Ipv4Text.valid(s) || !Ipv4Text.valid(e)) {
                throw VirtException.xml("Invalid dhcp range '" + s + "' to '" + e + "' in network '" + name + "'");
            }
            if (len < 0 || !Ipv4Text.sameSubnet(s, addr, len) || !Ipv4Text.sameSubnet(e, addr, len)) {
                throw VirtException.internal("range " + s + " - " + e + " is not entirely within network " + cidr);
            }
            if (Integer.compareUnsigned(Ipv4Text.parse(s), Ipv4Text.parse(e)) > 0) {
                throw VirtException.internal("range " + s + " - " + e + " is reversed ");
            }
            order(r, "start", "end");
        }
        for (Element h : children(dhcp, "host")) {
            String mac = attr(h, "mac");
            String hip = attr(h, "ip");
            if (mac != null && !MAC.matcher(mac).matches()) {
                throw VirtException.xml("Cannot parse MAC address '" + mac + "' in network '" + name + "'");
            }
            if (hip == null) {
                throw VirtException.xml("Missing IP address in static host definition for network '" + name + "'");
            }
            if (!Ipv4Text.valid(hip)) {
                throw VirtException.xml("Invalid IP address in static host definition for network '" + name + "'");
            }
            order(h, "mac", "id", "name", "ip");
        }
        return true;
    }

    /** The prefix length of an {@code <ip>}: prefix, netmask, or the address class's default (libvirt's virSocketAddrGetIPPrefix). */
    static int prefixOf(Element ip) {
        if (attr(ip, "prefix") != null) {
            return Integer.parseInt(attr(ip, "prefix"));
        }
        if (attr(ip, "netmask") != null) {
            return Ipv4Text.prefixOf(attr(ip, "netmask"));
        }
        int first = Ipv4Text.parse(attr(ip, "address")) >>> 24;
        return first < 128 ? 8 : first < 192 ? 16 : first < 224 ? 24 : -1; // RFC 791 classes A, B, C
    }

    /** Puts the known attributes first, in libvirt's output order; others follow as written. */
    private static void order(Element e, String... names) {
        List<String> rest = new java.util.ArrayList<>();
        for (int i = 0; i < e.getAttributes().getLength(); i++) {
            rest.add(e.getAttributes().item(i).getNodeName());
        }
        java.util.Map<String, String> values = new java.util.LinkedHashMap<>();
        for (String n : names) {
            if (e.hasAttribute(n)) {
                values.put(n, e.getAttribute(n));
            }
        }
        List<String> others = XmlText.attributeNames(e).stream().filter(n -> !values.containsKey(n)).toList();
        for (String n : others) {
            values.put(n, e.getAttribute(n));
        }
        for (String n : rest) {
            XmlText.removeAttr(e, n);
        }
        values.forEach((k, v) -> XmlText.setAttr(e, k, v));
    }

    private static boolean nonNegative(String s) {
        return s != null && s.matches("[0-9]{1,9}");
    }
}
