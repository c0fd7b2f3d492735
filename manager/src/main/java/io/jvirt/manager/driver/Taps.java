package io.jvirt.manager.driver;

import io.jvirt.manager.VirtException;
import io.jvirt.net.NetException;
import io.jvirt.net.Netns;

/**
 * Host TAP devices for {@code <interface type='bridge'>} (and networks, which are bridges):
 * the daemon creates a persistent TAP the way libvirt does, named {@code vnetN} (the lowest
 * free N), plugs it into the bridge, and removes it when the domain stops. The VMM opens it by
 * name ({@code jvirt run --net tap=NAME}). Needs CAP_NET_ADMIN, like libvirt's system daemon.
 */
final class Taps {

    private static final System.Logger LOG = System.getLogger(Taps.class.getName());
    /** libvirt's VIR_NET_GENERATED_VNET_PREFIX. */
    static final String PREFIX = "vnet";
    private static final int MAX = 4096;

    private Taps() {
    }

    /** Creates {@code vnetN} with virtio-net headers (what jvirt run's TAP backend asks for) and attaches it to {@code bridge}. */
    static String create(String domain, String bridge) throws VirtException {
        if (!bridge.matches("[A-Za-z0-9_.-]{1,15}")) {
            throw VirtException.invalidArg("bridge name '" + bridge + "' of domain '" + domain
                    + "' is not a Linux interface name; use 1-15 of A-Z a-z 0-9 _ . -");
        }
        if (!exists(bridge)) {
            throw VirtException.failed("cannot attach domain '" + domain + "' to bridge '" + bridge
                    + "': no such interface; create it (ip link add " + bridge + " type bridge) or fix <source bridge>");
        }
        for (int n = 0; n < MAX; n++) {
            String tap = PREFIX + n;
            if (exists(tap)) {
                continue;
            }
            try {
                Netns.hostIp("tuntap", "add", "dev", tap, "mode", "tap", "vnet_hdr");
            } catch (NetException e) {
                if (exists(tap)) {
                    continue; // another daemon took it meanwhile
                }
                throw VirtException.failed("cannot create TAP " + tap + " for domain '" + domain + "': " + e.getMessage());
            }
            try {
                Netns.hostIp("link", "set", "dev", tap, "master", bridge, "up");
            } catch (NetException e) {
                remove(tap);
                throw VirtException.failed("cannot attach TAP " + tap + " of domain '" + domain + "' to bridge '"
                        + bridge + "': " + e.getMessage());
            }
            return tap;
        }
        throw VirtException.failed("no free TAP name " + PREFIX + "0.." + PREFIX + (MAX - 1) + " for domain '" + domain + "'");
    }

    static boolean exists(String ifname) {
        try {
            Netns.hostIp("link", "show", "dev", ifname);
            return true;
        } catch (NetException e) {
            return false;
        }
    }

    /** Removes a TAP the daemon created; a missing one is fine (already gone). */
    static void remove(String tap) {
        if (!exists(tap)) {
            return;
        }
        try {
            Netns.hostIp("tuntap", "del", "dev", tap, "mode", "tap");
        } catch (NetException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove TAP " + tap + ": " + e.getMessage()
                    + "; remove it with 'ip tuntap del dev " + tap + " mode tap'");
        }
    }
}
