package io.jvirt.net;

import io.jvirt.net.BridgeNetwork.Forward;

/**
 * The nftables table of one network, modelled on libvirt's nftables backend
 * (src/network/network_nftables.c): a {@code forward} filter chain that lets the subnet out,
 * lets replies (NAT) or anything (route) back in, lets guests talk to each other, and rejects
 * the rest to and from the bridge; and for NAT a {@code postrouting} chain that masquerades the
 * subnet, except multicast and broadcast (which must keep their source address).
 */
final class Firewall {

    /** nft(8) base chain priorities: "filter" is 0, "srcnat" is 100. */
    private static final int FILTER = 0;
    private static final int SRCNAT = 100;

    private Firewall() {
    }

    /** {@code jvirt_BRIDGE}, with characters nft identifiers cannot hold turned into '_'. */
    static String table(BridgeNetwork n) {
        return "jvirt_" + n.bridge().replaceAll("[^A-Za-z0-9_]", "_");
    }

    /** An nft -f script that replaces the table atomically (declare, delete, define: one transaction). */
    static String script(BridgeNetwork n) {
        String t = table(n);
        String br = "\"" + n.bridge() + "\"";
        String out = n.forwardDev() == null ? "" : " oifname \"" + n.forwardDev() + "\"";
        String in = n.forwardDev() == null ? "" : " iifname \"" + n.forwardDev() + "\"";
        StringBuilder s = new StringBuilder();
        s.append("table ip ").append(t).append("\n");
        s.append("delete table ip ").append(t).append("\n");
        s.append("table ip ").append(t).append(" {\n");
        s.append("  chain forward {\n");
        s.append("    type filter hook forward priority ").append(FILTER).append("; policy accept;\n");
        if (n.ip() != null && n.forward() != Forward.ISOLATED) {
            String net = n.ip().subnet();
            s.append("    iifname ").append(br).append(out).append(" ip saddr ").append(net).append(" accept\n");
            s.append("   ").append(in).append(" oifname ").append(br).append(" ip daddr ").append(net)
                    .append(n.forward() == Forward.NAT ? " ct state related,established" : "").append(" accept\n");
        }
        s.append("    iifname ").append(br).append(" oifname ").append(br).append(" accept\n");
        s.append("    iifname ").append(br).append(" reject\n");
        s.append("    oifname ").append(br).append(" reject\n");
        s.append("  }\n");
        if (n.ip() != null && n.forward() == Forward.NAT) {
            String net = n.ip().subnet();
            s.append("  chain postrouting {\n");
            s.append("    type nat hook postrouting priority ").append(SRCNAT).append("; policy accept;\n");
            s.append("    ip saddr ").append(net).append(" ip daddr 224.0.0.0/24 return\n");
            s.append("    ip saddr ").append(net).append(" ip daddr 255.255.255.255 return\n");
            s.append("    ip saddr ").append(net).append(" ip daddr != ").append(net).append(out).append(" masquerade\n");
            s.append("  }\n");
        }
        s.append("}\n");
        return s.toString();
    }
}
