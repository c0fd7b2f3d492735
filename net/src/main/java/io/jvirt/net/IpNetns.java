package io.jvirt.net;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@link Netns} through iproute2. */
final class IpNetns implements Netns {
    /** Namespace and interface names: what iproute2 and the kernel accept (IFNAMSIZ 16 with the NUL). */
    private static final String NAME = "[A-Za-z0-9_.-]{1,15}";

    private final String name;
    private final AtomicBoolean closed = new AtomicBoolean();

    private IpNetns(String name) {
        this.name = name;
    }

    static IpNetns create(String name) {
        check("namespace", name);
        ip(List.of("netns", "add", name));
        IpNetns ns = new IpNetns(name);
        try {
            ns.ip("link", "set", "lo", "up");
        } catch (NetException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    static String ip(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("ip");
        cmd.addAll(args);
        return Commands.run(cmd);
    }

    private static String check(String what, String n) {
        if (n == null || !n.matches(NAME)) {
            throw new IllegalArgumentException(what + " name '" + n + "' is not usable; use 1-15 of A-Z a-z 0-9 _ . -");
        }
        return n;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String ip(String... args) {
        List<String> a = new ArrayList<>(List.of("-n", name));
        a.addAll(List.of(args));
        return ip(a);
    }

    @Override
    public String exec(String... command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(command));
        return Commands.run(cmd);
    }

    @Override
    public void addBridge(String bridge) {
        ip("link", "add", check("bridge", bridge), "type", "bridge");
        ip("link", "set", bridge, "up");
    }

    @Override
    public void addTap(String tap) {
        ip("tuntap", "add", "dev", check("TAP", tap), "mode", "tap", "vnet_hdr");
    }

    @Override
    public void addVeth(String veth, Netns peerNs, String peer) {
        ip("link", "add", check("veth", veth), "type", "veth", "peer", "name", check("veth", peer), "netns", peerNs.name());
        ip("link", "set", veth, "up");
        peerNs.ip("link", "set", peer, "up");
    }

    @Override
    public void adopt(String ifname) {
        ip(List.of("link", "set", "dev", check("interface", ifname), "netns", name));
    }

    @Override
    public void address(String ifname, String cidr) {
        ip("address", "add", cidr, "dev", check("interface", ifname));
        ip("link", "set", ifname, "up");
    }

    @Override
    public void attach(String ifname, String bridge) {
        ip("link", "set", check("interface", ifname), "master", check("bridge", bridge));
        ip("link", "set", ifname, "up");
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            ip(List.of("netns", "del", name));
        }
    }

    @Override
    public String toString() {
        return "netns " + name;
    }
}
