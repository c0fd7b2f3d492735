package io.jvirt.net;

import java.util.List;

/**
 * What the host needs to run one libvirt-style virtual network (formatnetwork): a Linux bridge,
 * its address, NAT or routing through nftables, and dnsmasq for DHCP and DNS. The manager turns
 * a network's XML into this; {@link NetworkHost} builds and tears it down.
 *
 * @param name    the network's name (names the state files)
 * @param bridge  the bridge's interface name, e.g. virbr0
 * @param mac     the bridge's MAC address, or null for the kernel's choice
 * @param mtu     the bridge's MTU, or 0 for the default
 * @param stp     spanning tree on the bridge ({@code <bridge stp='on'>})
 * @param delay   the bridge's forward delay in seconds ({@code <bridge delay>})
 * @param forward how traffic leaves the network
 * @param forwardDev the only host interface traffic may leave by ({@code <forward dev>}), or null
 * @param domain  the DNS domain dnsmasq serves ({@code <domain name>}), or null
 * @param ip      the bridge's IPv4 address with DHCP, or null for none
 */
public record BridgeNetwork(String name, String bridge, String mac, int mtu, boolean stp, int delay,
                            Forward forward, String forwardDev, String domain, Ipv4 ip) {

    /** formatnetwork's forward modes jvirt runs; absent {@code <forward>} is an isolated network. */
    public enum Forward { NAT, ROUTE, ISOLATED }

    /** The bridge's IPv4 address and prefix, with DHCP ranges and fixed hosts (none: no DHCP). */
    public record Ipv4(String address, int prefix, List<Range> ranges, List<Host> hosts) {
        public Ipv4 {
            ranges = List.copyOf(ranges);
            hosts = List.copyOf(hosts);
        }

        /** The network address in CIDR form, e.g. 192.168.122.0/24. */
        public String subnet() {
            int a = Ipv4Text.parse(address);
            int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
            return Ipv4Text.format(a & mask) + "/" + prefix;
        }

        /** The netmask in dotted form, e.g. 255.255.255.0. */
        public String netmask() {
            return Ipv4Text.format(prefix == 0 ? 0 : -1 << (32 - prefix));
        }
    }

    /** A DHCP address range, both ends included. */
    public record Range(String start, String end) {
    }

    /** A fixed DHCP host: {@code mac} and/or {@code name} gets {@code ip}. */
    public record Host(String mac, String name, String ip) {
    }

    public BridgeNetwork {
        if (bridge == null || !bridge.matches("[A-Za-z0-9_.-]{1,15}")) {
            throw new IllegalArgumentException("bridge name '" + bridge + "' of network '" + name
                    + "' is not a Linux interface name; use 1-15 of A-Z a-z 0-9 _ . -");
        }
        if (name == null || !name.matches("[A-Za-z0-9_.+-]{1,64}") || name.startsWith(".")) {
            throw new IllegalArgumentException("network name '" + name + "' cannot name host files; use A-Z a-z 0-9 _ . + -");
        }
    }
}
