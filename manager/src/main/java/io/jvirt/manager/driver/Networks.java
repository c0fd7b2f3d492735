package io.jvirt.manager.driver;

import io.jvirt.manager.NetworkInfo;
import io.jvirt.manager.NetworkLease;
import io.jvirt.manager.VirtException;
import io.jvirt.manager.xml.NetworkXml;
import io.jvirt.net.BridgeNetwork;
import io.jvirt.net.DhcpLease;
import io.jvirt.net.NetException;
import io.jvirt.net.NetworkHost;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Virtual networks with libvirt's semantics (src/network/bridge_driver.c, and test_driver.c for
 * test:///default): define/create/start/destroy/undefine/autostart. With a {@link NetworkHost}
 * (the daemon) a started network is a real bridge with nftables rules and dnsmasq; without one
 * (test:///default) networks live only in memory, and the test driver's quirks apply (no bridge
 * name assigned, destroying an inactive network succeeds, an active one cannot be undefined).
 * Every operation checks first and changes state last, under the driver's lock.
 */
final class Networks {

    private static final System.Logger LOG = System.getLogger(Networks.class.getName());
    /** libvirt's bridge name template for networks without one (virNetworkSetBridgeName, "virbr%d"). */
    static final String BRIDGE_PREFIX = "virbr";
    private static final int MAX_BRIDGES = 256; // bridge_driver.c MAX_BRIDGE_ID

    /** One network: its persistent definition (null: transient) and, while active, its live one. */
    static final class Net {
        NetworkXml persistent;
        NetworkXml live;
        boolean autostart;

        boolean active() {
            return live != null;
        }

        NetworkXml def() {
            return live != null ? live : persistent;
        }
    }

    private final Object lock;
    private final Persistence persistence;
    final Map<String, Net> nets = new LinkedHashMap<>();
    /** Builds networks on the host; null for an in-memory driver (test:///default). */
    NetworkHost host;

    Networks(Object lock, Persistence persistence) {
        this.lock = lock;
        this.persistence = persistence;
    }

    Net find(String key) throws VirtException {
        Net n = nets.get(key);
        if (n != null) {
            return n;
        }
        for (Net x : nets.values()) {
            if (x.def().uuid().toString().equalsIgnoreCase(key)) {
                return x;
            }
        }
        throw VirtException.noNetwork(key);
    }

    static NetworkInfo info(Net n) {
        NetworkXml d = n.def();
        return new NetworkInfo(d.name(), d.uuid(), n.active(), n.persistent != null, n.autostart, d.bridge(), d.format());
    }

    List<NetworkInfo> list() {
        synchronized (lock) {
            return nets.values().stream().map(Networks::info).toList();
        }
    }

    NetworkInfo get(String key) throws VirtException {
        synchronized (lock) {
            return info(find(key));
        }
    }

    /** libvirt's virNetworkObjListAdd checks: same UUID with another name, same name with another UUID. */
    private Net checkUnique(NetworkXml def) throws VirtException {
        for (Net n : nets.values()) {
            boolean sameUuid = n.def().uuid().equals(def.uuid());
            boolean sameName = n.def().name().equals(def.name());
            if (sameUuid && !sameName) {
                throw VirtException.failed("network '" + n.def().name() + "' is already defined with uuid " + def.uuid());
            }
            if (sameName && !sameUuid) {
                throw VirtException.failed("network '" + n.def().name() + "' already exists with uuid " + n.def().uuid());
            }
            if (sameName) {
                return n;
            }
        }
        return null;
    }

    /** The real driver names the bridge (lowest free virbrN) and gives it a MAC, as libvirt's network driver does. */
    private void assignHostNames(NetworkXml def) throws VirtException {
        if (host == null) {
            return;
        }
        if (def.bridge() == null) {
            for (int i = 0; i < MAX_BRIDGES && def.bridge() == null; i++) {
                String b = BRIDGE_PREFIX + i;
                if (bridgeOwner(b, def.name()) == null && !host.interfaceExists(b)) {
                    def.setBridge(b);
                }
            }
            if (def.bridge() == null) {
                throw VirtException.internal("Bridge generation exceeded max id " + MAX_BRIDGES);
            }
        } else {
            String owner = bridgeOwner(def.bridge(), def.name());
            if (owner != null) {
                throw VirtException.internal("bridge name '" + def.bridge() + "' already in use.");
            }
        }
        if (def.mac() == null) {
            // libvirt's VIR_MAC_PREFIX_KVM 52:54:00 with three random bytes.
            byte[] b = new byte[3];
            ThreadLocalRandom.current().nextBytes(b);
            def.setMac("52:54:00:" + HexFormat.ofDelimiter(":").formatHex(b));
        }
    }

    /** The other network whose (persistent or live) definition uses bridge {@code b}, or null. */
    private String bridgeOwner(String b, String except) {
        for (Net n : nets.values()) {
            for (NetworkXml d : new NetworkXml[] {n.persistent, n.live}) {
                if (d != null && !d.name().equals(except) && b.equals(d.bridge())) {
                    return d.name();
                }
            }
        }
        return null;
    }

    NetworkInfo define(String xml, String source) throws VirtException {
        NetworkXml def = NetworkXml.parse(xml, source);
        synchronized (lock) {
            Net n = checkUnique(def);
            if (def.bridge() == null && n != null && n.def().bridge() != null) {
                def.setBridge(n.def().bridge()); // a redefinition keeps the assigned bridge
            }
            if (def.mac() == null && n != null && n.def().mac() != null) {
                def.setMac(n.def().mac());
            }
            assignHostNames(def);
            persistence.saveNetwork(def.name(), def.format());
            if (n == null) {
                n = new Net();
                nets.put(def.name(), n);
            }
            n.persistent = def;
            return info(n);
        }
    }

    NetworkInfo create(String xml, String source) throws VirtException {
        NetworkXml def = NetworkXml.parse(xml, source);
        synchronized (lock) {
            Net n = checkUnique(def);
            if (n != null && n.active()) {
                throw alreadyRunning(def.name());
            }
            assignHostNames(def);
            Net fresh = n == null ? new Net() : n;
            launch(fresh, def);
            nets.putIfAbsent(def.name(), fresh);
            return info(fresh);
        }
    }

    void start(String key) throws VirtException {
        synchronized (lock) {
            Net n = find(key);
            if (n.active()) {
                throw alreadyRunning(n.def().name());
            }
            launch(n, n.persistent.copy());
        }
    }

    private static VirtException alreadyRunning(String name) {
        return VirtException.invalidOperation("Network '" + name + "' is already running");
    }

    /** Builds the network on the host; the live record is written first so a successor cleans up after a kill. */
    private void launch(Net n, NetworkXml live) throws VirtException {
        if (host != null) {
            BridgeNetwork spec = live.spec();
            checkCollisions(live);
            persistence.saveNetworkLive(live.name(), live.format());
            try {
                host.start(spec);
            } catch (NetException e) {
                persistence.saveNetworkLive(live.name(), null);
                throw VirtException.failed("cannot start network '" + live.name() + "': " + e.getMessage());
            }
        }
        n.live = live;
    }

    /** Another active network on the same bridge or an overlapping subnet would break both (libvirt checks routes too). */
    private void checkCollisions(NetworkXml live) throws VirtException {
        for (Net other : nets.values()) {
            if (!other.active() || other.live.name().equals(live.name())) {
                continue;
            }
            if (other.live.bridge().equals(live.bridge())) {
                throw VirtException.internal("bridge name '" + live.bridge() + "' already in use.");
            }
            for (String mine : live.subnets()) {
                for (String theirs : other.live.subnets()) {
                    if (overlap(mine, theirs)) {
                        throw VirtException.failed("network '" + live.name() + "' (" + mine + ") overlaps active network '"
                                + other.live.name() + "' (" + theirs + "); give it another <ip address> or destroy '"
                                + other.live.name() + "' first");
                    }
                }
            }
        }
    }

    private static boolean overlap(String a, String b) {
        String[] x = a.split("/");
        String[] y = b.split("/");
        int len = Math.min(Integer.parseInt(x[1]), Integer.parseInt(y[1]));
        return io.jvirt.net.Ipv4Text.sameSubnet(x[0], y[0], len);
    }

    void destroy(String key) throws VirtException {
        synchronized (lock) {
            Net n = find(key);
            if (!n.active()) {
                if (host == null) {
                    return; // libvirt's test driver does not check
                }
                throw VirtException.invalidOperation("network '" + n.def().name() + "' is not active");
            }
            String name = n.def().name();
            if (host != null) {
                try {
                    host.stop(n.live.spec());
                } catch (NetException e) {
                    throw VirtException.failed("cannot stop network '" + name + "': " + e.getMessage());
                }
                persistence.saveNetworkLive(name, null);
            }
            n.live = null;
            if (n.persistent == null) {
                nets.remove(name);
            }
        }
    }

    void undefine(String key) throws VirtException {
        synchronized (lock) {
            Net n = find(key);
            String name = n.def().name();
            if (n.persistent == null) {
                throw VirtException.invalidOperation("network '" + name + "' is not persistent");
            }
            if (n.active() && host == null) {
                throw VirtException.invalidOperation("Network '" + name + "' is still running");
            }
            persistence.saveNetwork(name, null);
            n.persistent = null;
            n.autostart = false;
            if (!n.active()) {
                nets.remove(name);
            }
        }
    }

    void setAutostart(String key, boolean on) throws VirtException {
        synchronized (lock) {
            Net n = find(key);
            if (n.persistent == null && host != null) { // libvirt's test driver does not check
                throw VirtException.invalidOperation("cannot set autostart for transient network");
            }
            persistence.saveNetworkAutostart(n.def().name(), on);
            n.autostart = on;
        }
    }

    String xml(String key, boolean inactive) throws VirtException {
        synchronized (lock) {
            Net n = find(key);
            if (inactive && host == null) { // libvirt's test driver takes no flags here
                throw new VirtException(VirtException.Code.INVALID_ARG, "unsupported flags (0x1) in function testNetworkGetXMLDesc");
            }
            return (inactive && n.persistent != null ? n.persistent : n.def()).format();
        }
    }

    List<NetworkLease> leases(String key) throws VirtException {
        BridgeNetwork spec;
        synchronized (lock) {
            Net n = find(key);
            if (host == null) {
                throw new VirtException(VirtException.Code.UNSUPPORTED,
                        "this function is not supported by the connection driver: virNetworkGetDHCPLeases");
            }
            if (!n.active() || n.live.spec().ip() == null) {
                return List.of();
            }
            spec = n.live.spec();
        }
        List<NetworkLease> out = new ArrayList<>();
        try {
            for (DhcpLease l : host.leases(spec.name())) {
                out.add(new NetworkLease(l.expiry(), l.mac(), l.ip(), spec.ip().prefix(), l.hostname(), l.clientId()));
            }
        } catch (NetException e) {
            throw VirtException.failed(e.getMessage());
        }
        return out;
    }

    /**
     * A daemon restart: a recorded live network still up on the host is re-adopted as it is; one
     * whose bridge survived but whose dnsmasq or table did not is repaired around the bridge; one
     * whose bridge is gone is cleaned up and left inactive.
     */
    void adopt(NetworkXml live) {
        Net n = nets.computeIfAbsent(live.name(), k -> new Net());
        try {
            BridgeNetwork spec = live.spec();
            if (host.running(spec)) {
                n.live = live;
                LOG.log(System.Logger.Level.INFO, "re-adopted running network '" + live.name() + "' (bridge " + spec.bridge() + ")");
                return;
            }
            if (host.repair(spec)) { // the bridge (with domains' TAPs on it) is there: rebuild the rest around it
                n.live = live;
                LOG.log(System.Logger.Level.WARNING, "network '" + live.name() + "' had lost its dnsmasq or nftables table;"
                        + " restored them on bridge " + spec.bridge());
                return;
            }
            LOG.log(System.Logger.Level.INFO, "network '" + live.name() + "' is no longer running; removing what is left of it");
            host.stop(spec);
            persistence.saveNetworkLive(live.name(), null);
        } catch (VirtException | NetException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot re-adopt network '" + live.name() + "': " + e.getMessage());
        }
        if (n.persistent == null && n.live == null) {
            nets.remove(live.name());
        }
    }

    /** Starts the autostart networks that are not running (the daemon does this before autostart domains). */
    void autostart() {
        List<String> names;
        synchronized (lock) {
            names = nets.entrySet().stream().filter(e -> e.getValue().autostart && !e.getValue().active())
                    .map(Map.Entry::getKey).toList();
        }
        for (String name : names) {
            try {
                start(name);
                LOG.log(System.Logger.Level.INFO, "autostarted network '" + name + "'");
            } catch (VirtException e) {
                LOG.log(System.Logger.Level.ERROR, "autostart of network '" + name + "' failed: " + e.getMessage());
            }
        }
    }
}
