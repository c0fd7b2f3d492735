package io.jvirt.net;

import java.nio.file.Path;
import java.util.List;

/**
 * Builds and tears down virtual networks on a host the way libvirt's network driver does: a
 * Linux bridge with the network's address, an nftables table {@code jvirt_BRIDGE} (forwarding
 * rules, and masquerading for NAT), {@code net.ipv4.ip_forward=1} for NAT and routed networks,
 * and one dnsmasq per network for DHCP and DNS. State files ({@code NAME.conf}, {@code NAME.pid},
 * {@code NAME.leases}, {@code NAME.nft}) live in the state directory. Needs root (CAP_NET_ADMIN).
 * Every method throws {@link NetException} with one line naming the command and the fix.
 */
public interface NetworkHost {

    /** Works in the caller's network namespace; state files go to {@code stateDir}. */
    static NetworkHost local(Path stateDir) {
        return new HostNetworks(List.of(), stateDir);
    }

    /** Works inside namespace {@code netns} (every command through {@code ip netns exec}); for tests. */
    static NetworkHost in(String netns, Path stateDir) {
        return new HostNetworks(List.of("ip", "netns", "exec", netns), stateDir);
    }

    /**
     * Creates the bridge, firewall table and dnsmasq of {@code n}; on failure removes what it
     * made and throws. Returns dnsmasq's pid (0 when the network has no IPv4 address, so no dnsmasq).
     */
    long start(BridgeNetwork n);

    /**
     * True when {@code n} is up as {@link #start} left it: its bridge exists, its nftables table
     * exists, and (when it has an address) a dnsmasq with this network's config file is alive.
     * A restarted manager uses this to re-adopt a running network instead of rebuilding it.
     */
    boolean running(BridgeNetwork n);

    /**
     * Brings a network whose bridge still exists back to what {@link #start} builds: the nftables
     * table re-applied, ip_forward set, dnsmasq started if it is not running. Domains' TAPs on the
     * bridge stay attached. Returns false (and changes nothing) when the bridge itself is gone.
     */
    boolean repair(BridgeNetwork n);

    /** Stops dnsmasq, deletes the nftables table and the bridge; what is already gone is fine. */
    void stop(BridgeNetwork n);

    /** The pid of the network's live dnsmasq (its pid file names a process running our config), or 0. */
    long dnsmasqPid(String network);

    /** The IPv4 leases dnsmasq handed out on {@code network}, from its lease file (none when not running). */
    List<DhcpLease> leases(String network);

    /** True when host interface {@code ifname} exists (bridge names must not collide with one). */
    boolean interfaceExists(String ifname);
}
