package io.jvirt.cli.virsh;

import io.jvirt.cli.virsh.Shell.Failure;
import io.jvirt.cli.virsh.Spec.Args;
import io.jvirt.manager.Connection;
import io.jvirt.manager.NetworkInfo;
import io.jvirt.manager.NetworkLease;
import io.jvirt.manager.VirtException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/** virsh's net-* commands (virsh-network.c): names, options, messages and tables as virsh has them. */
final class NetworkCommands {

    /** net-dhcp-leases' expiry column: local time, "%Y-%m-%d %H:%M:%S". */
    private static final DateTimeFormatter EXPIRY = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

    private NetworkCommands() {
    }

    static List<Spec> specs() {
        return List.of(
                Spec.of("net-list", NetworkCommands::list, "--all", "--inactive", "--name", "--uuid", "--table",
                        "--persistent", "--transient", "--autostart", "--no-autostart"),
                Spec.of("net-info", NetworkCommands::info, "network!"),
                Spec.of("net-dumpxml", NetworkCommands::dumpxml, "network!", "--inactive", "--xpath=", "--wrap"),
                Spec.of("net-define", NetworkCommands::define, "file!", "--validate"),
                Spec.of("net-create", NetworkCommands::create, "file!", "--validate"),
                action("net-start", "Network %s started\n", "Failed to start network %s", Connection::startNetwork),
                action("net-destroy", "Network %s destroyed\n", "Failed to destroy network %s", Connection::destroyNetwork),
                action("net-undefine", "Network %s has been undefined\n", "Failed to undefine network %s",
                        Connection::undefineNetwork),
                Spec.of("net-autostart", NetworkCommands::autostart, "network!", "--disable"),
                Spec.of("net-uuid", NetworkCommands::uuid, "network!"),
                Spec.of("net-name", NetworkCommands::name, "network!"),
                Spec.of("net-dhcp-leases", NetworkCommands::leases, "network!", "--mac="),
                Spec.of("net-edit", NetworkCommands::edit, "network!"));
    }

    interface Action {
        void apply(Connection c, String network) throws VirtException;
    }

    private static Spec action(String cmd, String ok, String failed, Action action) {
        return Spec.of(cmd, (sh, a) -> {
            NetworkInfo n = find(sh, a.get("network"));
            Connection c = sh.conn();
            sh.op(String.format(failed, n.name()), () -> {
                action.apply(c, n.name());
                return null;
            });
            sh.extra(String.format(ok, n.name()));
            return true;
        }, "network!");
    }

    /** virsh's lookup: by UUID or name; a miss is "failed to get network 'X'". */
    private static NetworkInfo find(Shell sh, String key) throws Failure {
        Connection c = sh.conn();
        return sh.op("failed to get network '" + key + "'", () -> c.network(key));
    }

    private static boolean list(Shell sh, Args a) throws Failure {
        if ((a.has("name") ? 1 : 0) + (a.has("uuid") ? 1 : 0) + (a.has("table") ? 1 : 0) > 1) {
            throw new Failure("Only one argument from --table, --name and --uuid may be specified.");
        }
        Connection c = sh.conn();
        boolean all = a.has("all");
        List<NetworkInfo> nets = sh.op(null, c::listNetworks).stream()
                .filter(n -> all || (a.has("inactive") ? !n.active() : n.active()))
                .filter(n -> !a.has("persistent") || n.persistent())
                .filter(n -> !a.has("transient") || !n.persistent())
                .filter(n -> !a.has("autostart") || n.autostart())
                .filter(n -> !a.has("no-autostart") || !n.autostart())
                .sorted(java.util.Comparator.comparing(NetworkInfo::name)).toList();
        if (a.has("name") || a.has("uuid")) {
            StringBuilder sb = new StringBuilder();
            nets.forEach(n -> sb.append(a.has("uuid") ? n.uuid().toString() : n.name()).append('\n'));
            sh.print(sb.toString());
            return true;
        }
        Table t = new Table("Name", "State", "Autostart", "Persistent");
        for (NetworkInfo n : nets) {
            t.row(n.name(), n.active() ? "active" : "inactive", yes(n.autostart()), yes(n.persistent()));
        }
        sh.print(t.render(sh.quiet));
        return true;
    }

    private static boolean info(Shell sh, Args a) throws Failure {
        NetworkInfo n = find(sh, a.get("network"));
        StringBuilder sb = new StringBuilder();
        String[][] rows = {{"Name:", n.name()}, {"UUID:", n.uuid().toString()}, {"Active:", yes(n.active())},
            {"Persistent:", yes(n.persistent())}, {"Autostart:", yes(n.autostart())}, {"Bridge:", n.bridge()}};
        for (String[] r : rows) {
            if (r[1] != null) { // virsh leaves out the bridge line when the network has no bridge name
                sb.append(String.format(Locale.ROOT, "%-15s %s", r[0], r[1])).append('\n');
            }
        }
        sh.print(sb.toString());
        return true;
    }

    private static String yes(boolean b) {
        return b ? "yes" : "no";
    }

    private static boolean dumpxml(Shell sh, Args a) throws Failure {
        NetworkInfo n = find(sh, a.get("network"));
        Connection c = sh.conn();
        sh.print(sh.op(null, () -> c.networkXml(n.name(), a.has("inactive"))));
        return true;
    }

    private static boolean define(Shell sh, Args a) throws Failure {
        String file = a.get("file");
        String xml = DomainCommands.readFile(file);
        Connection c = sh.conn();
        NetworkInfo n = sh.op("Failed to define network from " + file, () -> c.defineNetwork(xml, "network_definition"));
        sh.extra("Network " + n.name() + " defined from " + file + "\n");
        return true;
    }

    private static boolean create(Shell sh, Args a) throws Failure {
        String file = a.get("file");
        String xml = DomainCommands.readFile(file);
        Connection c = sh.conn();
        NetworkInfo n = sh.op("Failed to create network from " + file, () -> c.createNetwork(xml, "network_definition"));
        sh.extra("Network " + n.name() + " created from " + file + "\n");
        return true;
    }

    private static boolean autostart(Shell sh, Args a) throws Failure {
        NetworkInfo n = find(sh, a.get("network"));
        boolean on = !a.has("disable");
        Connection c = sh.conn();
        sh.op((on ? "failed to mark network " : "failed to unmark network ") + n.name() + " as autostarted", () -> {
            c.setNetworkAutostart(n.name(), on);
            return null;
        });
        sh.extra("Network " + n.name() + (on ? " marked" : " unmarked") + " as autostarted\n");
        return true;
    }

    private static boolean uuid(Shell sh, Args a) throws Failure {
        sh.print(find(sh, a.get("network")).uuid() + "\n");
        return true;
    }

    /** net-name looks up by UUID only. */
    private static boolean name(Shell sh, Args a) throws Failure {
        String key = a.get("network");
        for (NetworkInfo n : sh.op(null, sh.conn()::listNetworks)) {
            if (n.uuid().toString().equalsIgnoreCase(key)) {
                sh.print(n.name() + "\n");
                return true;
            }
        }
        throw new Failure("failed to get network '" + key + "'",
                "Network not found: no network with matching uuid '" + key + "'");
    }

    private static boolean leases(Shell sh, Args a) throws Failure {
        NetworkInfo n = find(sh, a.get("network"));
        Connection c = sh.conn();
        List<NetworkLease> leases = sh.op("Failed to get leases info for " + n.name(), () -> c.networkLeases(n.name()));
        String mac = a.get("mac");
        Table t = new Table("Expiry Time", "MAC address", "Protocol", "IP address", "Hostname", "Client ID or DUID");
        for (NetworkLease l : leases.stream().sorted(java.util.Comparator.comparing(NetworkLease::mac)).toList()) {
            if (mac != null && !mac.equalsIgnoreCase(l.mac())) {
                continue;
            }
            String expiry = EXPIRY.format(Instant.ofEpochSecond(l.expiry()).atZone(ZoneId.systemDefault()));
            t.row(expiry, l.mac(), "ipv4", l.ip() + "/" + l.prefix(), dash(l.hostname()), dash(l.clientId()));
        }
        sh.print(t.render(sh.quiet));
        return true;
    }

    private static String dash(String s) {
        return s == null ? "-" : s;
    }

    private static boolean edit(Shell sh, Args a) throws Failure {
        NetworkInfo n = find(sh, a.get("network"));
        Connection c = sh.conn();
        String before = sh.op(null, () -> {
            try {
                return c.networkXml(n.name(), true);
            } catch (VirtException e) {
                if (e.code() != VirtException.Code.INVALID_ARG) {
                    throw e;
                }
                return c.networkXml(n.name(), false); // libvirt's test driver takes no flags
            }
        });
        String after = Editor.edit(before, "jvirt-net-" + n.name());
        if (after.equals(before)) {
            sh.extra("Network " + n.name() + " XML configuration not changed.\n");
            return true;
        }
        sh.op(null, () -> c.defineNetwork(after, "network_definition"));
        sh.extra("Network " + n.name() + " XML configuration edited.\n");
        return true;
    }
}
