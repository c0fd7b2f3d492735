package io.jvirt.net;

import java.util.List;

/**
 * A named Linux network namespace (ip-netns(8)) that this object created and deletes on
 * {@link #close()}, with the few iproute2 operations a VM's network needs: bridges, veth pairs,
 * TAPs, addresses, and running a command inside. Tests build whole networks in these so the
 * host's own interfaces are never touched. Needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN).
 */
public interface Netns extends AutoCloseable {

    /**
     * {@code ip netns add name}, then brings its loopback up.
     *
     * @throws IllegalArgumentException when {@code name} is not a usable namespace name
     * @throws NetException when it already exists or the caller may not create it
     */
    static Netns create(String name) {
        return IpNetns.create(name);
    }

    /** {@code ip} with {@code args}, run in the host's (the caller's) namespace; returns its output. */
    static String hostIp(String... args) {
        return IpNetns.ip(List.of(args));
    }

    String name();

    /** {@code ip -n NAME args}: iproute2 applied inside this namespace; returns its output. */
    String ip(String... args);

    /** Runs {@code command} inside this namespace ({@code ip netns exec}); returns its output. */
    String exec(String... command);

    /** A Linux bridge {@code name}, up. */
    void addBridge(String name);

    /** A persistent TAP {@code name} ({@code ip tuntap add mode tap vnet_hdr}), not yet up. */
    void addTap(String name);

    /** A veth pair {@code name} here and {@code peer} in {@code peerNs}, both up. */
    void addVeth(String name, Netns peerNs, String peer);

    /** Moves interface {@code ifname} from the host namespace into this one (an open TAP fd keeps working). */
    void adopt(String ifname);

    /** Adds {@code cidr} (e.g. 10.0.0.1/24) to {@code ifname} and brings it up. */
    void address(String ifname, String cidr);

    /** Makes {@code ifname} a port of {@code bridge} and brings it up. */
    void attach(String ifname, String bridge);

    /** {@code ip netns del}: the namespace and every virtual interface in it go away. Idempotent. */
    @Override
    void close();
}
