package io.jvirt.cli.virsh;

import io.jvirt.cli.virsh.Shell.Failure;
import io.jvirt.cli.virsh.Spec.Args;
import io.jvirt.manager.Connection;
import io.jvirt.manager.NetworkInfo;
import java.util.List;
import java.util.Locale;

/** virsh's read-only network commands: net-list, net-info, net-dumpxml. */
final class NetworkCommands {

    private NetworkCommands() {
    }

    static List<Spec> specs() {
        return List.of(
                Spec.of("net-list", NetworkCommands::list, "--all", "--inactive", "--name", "--uuid",
                        "--persistent", "--transient", "--autostart", "--no-autostart"),
                Spec.of("net-info", NetworkCommands::info, "network!"),
                Spec.of("net-dumpxml", NetworkCommands::dumpxml, "network!", "--inactive"));
    }

    private static NetworkInfo find(Shell sh, String name) throws Failure {
        Connection c = sh.conn();
        for (NetworkInfo n : sh.op(null, c::listNetworks)) {
            if (n.name().equals(name) || n.uuid().toString().equals(name)) {
                return n;
            }
        }
        throw new Failure("failed to get network '" + name + "'",
                "Network not found: no network with matching name '" + name + "'");
    }

    private static boolean list(Shell sh, Args a) throws Failure {
        Connection c = sh.conn();
        List<NetworkInfo> nets = sh.op(null, c::listNetworks).stream()
                .filter(n -> a.has("all") || (a.has("inactive") ? !n.active() : n.active())).toList();
        if (a.has("name") || a.has("uuid")) {
            StringBuilder sb = new StringBuilder();
            nets.forEach(n -> sb.append(a.has("uuid") ? n.uuid().toString() : n.name()).append('\n'));
            sh.print(sb.toString());
            return true;
        }
        Table t = new Table("Name", "State", "Autostart", "Persistent");
        for (NetworkInfo n : nets) {
            t.row(n.name(), n.active() ? "active" : "inactive", n.autostart() ? "yes" : "no", n.persistent() ? "yes" : "no");
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
            sb.append(String.format(Locale.ROOT, "%-15s %s", r[0], r[1])).append('\n');
        }
        sh.print(sb.toString());
        return true;
    }

    private static String yes(boolean b) {
        return b ? "yes" : "no";
    }

    private static boolean dumpxml(Shell sh, Args a) throws Failure {
        sh.print(find(sh, a.get("network")).xml());
        return true;
    }
}
