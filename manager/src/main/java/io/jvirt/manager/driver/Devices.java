package io.jvirt.manager.driver;

import io.jvirt.manager.NetworkInfo;
import io.jvirt.manager.VirtException;
import io.jvirt.manager.xml.DomainXml;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A domain's devices as {@code jvirt run} options: {@code <disk type='file'>} becomes
 * {@code --disk}, {@code <rng>} {@code --rng}, {@code <interface>} {@code --net tap=...}. Every
 * check that needs no host change runs in {@link #check} first, so a bad definition fails
 * before a TAP exists.
 */
final class Devices {

    /** What {@code jvirt run --disk serial=} takes: virtio-blk's 20-byte ID (virtio 1.2 §5.2.6), printable, no comma. */
    private static final String SERIAL = "[\\x21-\\x2b\\x2d-\\x7e]{1,20}";

    private Devices() {
    }

    /** {@code --disk} and {@code --rng} options, disks in target order (vda first), as the guest names them. */
    static List<String> storage(DomainXml def) throws VirtException {
        List<String> a = new ArrayList<>();
        List<DomainXml.Disk> disks = new ArrayList<>(def.disks());
        disks.sort(Comparator.comparing((DomainXml.Disk d) -> d.target().length()).thenComparing(DomainXml.Disk::target));
        for (DomainXml.Disk d : disks) {
            if (!"virtio".equals(d.bus())) {
                throw VirtException.unsupported("disk " + d.target() + " of domain '" + def.name() + "' is on bus '" + d.bus()
                        + "', but jvirt has only virtio disks; use <target dev='vdX' bus='virtio'/>");
            }
            if (!d.format().equals("raw") && !d.format().equals("qcow2")) {
                throw VirtException.unsupported("disk " + d.target() + " of domain '" + def.name() + "' has format '"
                        + d.format() + "'; jvirt runs raw and qcow2 (convert it: jvirt img convert -O qcow2 ...)");
            }
            if (d.source() == null) {
                throw VirtException.unsupported("disk " + d.target() + " of domain '" + def.name()
                        + "' has no <source file>; jvirt has no empty (removable) drives");
            }
            if (d.source().contains(",")) {
                throw VirtException.unsupported("disk path '" + d.source() + "' of domain '" + def.name()
                        + "' contains ',', which jvirt run --disk cannot take; rename the file");
            }
            StringBuilder s = new StringBuilder(d.source()).append(",format=").append(d.format());
            if (d.readonly()) {
                s.append(",readonly=on");
            }
            if (d.serial() != null) {
                if (!d.serial().matches(SERIAL)) {
                    throw VirtException.unsupported("disk " + d.target() + " of domain '" + def.name() + "' has <serial>"
                            + d.serial() + "</serial>; use 1-20 printable ASCII characters without ',' or spaces");
                }
                s.append(",serial=").append(d.serial());
            }
            a.add("--disk");
            a.add(s.toString());
        }
        if (def.hasRng()) {
            a.add("--rng");
        }
        return a;
    }

    /** How each NIC reaches the host, checked without changing it. {@code networks} looks up jvirt's virtual networks. */
    static List<Plug> check(DomainXml def, Function<String, Optional<NetworkInfo>> networks) throws VirtException {
        List<Plug> out = new ArrayList<>();
        for (DomainXml.Nic n : def.interfaces()) {
            if (!"virtio".equals(n.model())) {
                throw VirtException.unsupported("interface " + n.mac() + " of domain '" + def.name() + "' has model '"
                        + n.model() + "', but jvirt has only virtio NICs; use <model type='virtio'/>");
            }
            out.add(switch (n.type()) {
                case "bridge" -> new Plug(n.mac(), n.source(), null);
                case "network" -> {
                    NetworkInfo net = networks.apply(n.source()).orElseThrow(() -> VirtException.noNetwork(n.source()));
                    if (!net.active()) {
                        // libvirt's networkAllocatePort text; the fix is 'jvirt net-start NAME'.
                        throw VirtException.invalidOperation("network '" + n.source() + "' is not active");
                    }
                    yield new Plug(n.mac(), net.bridge(), null);
                }
                case "ethernet" -> {
                    if (n.target() == null) {
                        throw VirtException.unsupported("interface " + n.mac() + " of domain '" + def.name()
                                + "' is type 'ethernet' without <target dev='TAP'/>; name the host TAP");
                    }
                    yield new Plug(n.mac(), null, n.target());
                }
                default -> throw VirtException.unsupported("interface type '" + n.type() + "' of domain '" + def.name()
                        + "' is not supported by jvirt (no user-mode networking); use type='bridge' or type='network'");
            });
        }
        return out;
    }

    /**
     * Creates the TAPs of bridged NICs (adding their names to {@code created} as it goes and
     * calling {@code record} after each, so the caller can remove them on failure or after a
     * kill) and returns the {@code --net} options.
     */
    static List<String> plug(String domain, List<Plug> plugs, List<String> created, Saver record) throws VirtException {
        List<String> a = new ArrayList<>();
        for (Plug p : plugs) {
            String tap = p.tap();
            if (tap == null) {
                tap = Taps.create(domain, p.bridge());
                created.add(tap);
                record.save();
            }
            a.add("--net");
            a.add("tap=" + tap + ",mac=" + p.mac());
        }
        return a;
    }

    /** Records what exists so far. */
    interface Saver {
        void save() throws VirtException;
    }

    /** One NIC: into {@code bridge} through a TAP the daemon creates, or onto an existing {@code tap}. */
    record Plug(String mac, String bridge, String tap) {
    }
}
