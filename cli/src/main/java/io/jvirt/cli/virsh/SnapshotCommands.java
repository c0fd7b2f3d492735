package io.jvirt.cli.virsh;

import io.jvirt.cli.virsh.Shell.Failure;
import io.jvirt.cli.virsh.Spec.Args;
import io.jvirt.manager.Connection;
import io.jvirt.manager.DomainInfo;
import io.jvirt.manager.SnapshotInfo;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;

/** virsh's snapshot commands over the domain's snapshot tree. */
final class SnapshotCommands {

    // virsh formats creation times with strftime "%Y-%m-%d %H:%M:%S %z" in local time.
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss xx");

    private SnapshotCommands() {
    }

    static List<Spec> specs() {
        return List.of(
                Spec.of("snapshot-create-as", SnapshotCommands::create, "domain!", "name", "description",
                        "--print-xml", "--no-metadata", "--halt", "--disk-only", "--atomic", "--live"),
                Spec.of("snapshot-list", SnapshotCommands::list, "domain!", "--parent", "--tree", "--name",
                        "--roots", "--leaves", "--no-leaves", "--current", "--topological"),
                Spec.of("snapshot-current", SnapshotCommands::current, "domain!", "--name", "--security-info"),
                Spec.of("snapshot-revert", SnapshotCommands::revert, "domain!", "snapshotname", "--current",
                        "--running", "--paused", "--force"),
                Spec.of("snapshot-delete", SnapshotCommands::delete, "domain!", "snapshotname", "--current",
                        "--children", "--children-only", "--metadata"),
                Spec.of("snapshot-dumpxml", SnapshotCommands::dumpxml, "domain!", "snapshotname!", "--security-info"));
    }

    private static boolean create(Shell sh, Args a) throws Failure {
        DomainInfo d = sh.domain(a.get("domain"));
        Connection c = sh.conn();
        if (!c.uri().startsWith("test:")) {
            // jvirt takes internal qcow2 snapshots of shut-off domains only (manager/README.md).
            if (a.has("disk-only")) {
                throw new Failure("unsupported configuration: external (--disk-only) snapshots are not supported by jvirt"
                        + " yet; omit --disk-only for an internal snapshot, of a shut-off domain");
            }
            if (a.has("live")) {
                throw new Failure("unsupported configuration: live snapshots need the VMM to save its memory, which jvirt"
                        + " cannot do yet; shut '" + d.name() + "' off first and omit --live");
            }
        }
        SnapshotInfo s = sh.op(null, () -> c.createSnapshot(d.name(), a.get("name"), a.get("description")));
        sh.extra("Domain snapshot " + s.name() + " created");
        return true;
    }

    private static boolean list(Shell sh, Args a) throws Failure {
        if (a.has("parent") && a.has("tree")) {
            throw new Failure("Options --parent and --tree are mutually exclusive");
        }
        if (a.has("parent") && a.has("roots")) {
            throw new Failure("Options --parent and --roots are mutually exclusive");
        }
        DomainInfo d = sh.domain(a.get("domain"));
        Connection c = sh.conn();
        List<SnapshotInfo> all = sh.op(null, () -> c.listSnapshots(d.name()));
        if (a.has("roots")) {
            all = all.stream().filter(s -> s.parent() == null).toList();
        }
        if (a.has("current")) {
            all = all.stream().filter(SnapshotInfo::current).toList();
        }
        if (a.has("tree")) {
            sh.print(tree(all));
            return true;
        }
        if (a.has("name")) {
            StringBuilder sb = new StringBuilder();
            all.forEach(s -> sb.append(s.name()).append('\n'));
            sh.print(sb.toString());
            return true;
        }
        Table t = a.has("parent") ? new Table("Name", "Creation Time", "State", "Parent")
                : new Table("Name", "Creation Time", "State");
        for (SnapshotInfo s : all) {
            String time = TIME.format(Instant.ofEpochSecond(s.creationTime()).atZone(ZoneId.systemDefault()));
            if (a.has("parent")) {
                t.row(s.name(), time, s.state().snapshotWord(), s.parent() == null ? "" : s.parent());
            } else {
                t.row(s.name(), time, s.state().snapshotWord());
            }
        }
        sh.print(t.render(sh.quiet));
        return true;
    }

    /** virsh's vshTreePrint: roots at the left, "+- child" below a "|" connector. */
    static String tree(List<SnapshotInfo> all) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).parent() == null) {
                node(sb, all, i, i, true, new StringBuilder());
            }
        }
        return sb.toString();
    }

    private static void node(StringBuilder sb, List<SnapshotInfo> all, int dev, int last, boolean root,
                             StringBuilder indent) {
        String name = all.get(dev).name();
        sb.append(indent).append(root ? "" : "+- ").append(name).append('\n');
        if (!root) {
            indent.append(dev == last ? ' ' : '|').append(' ');
        }
        int nextLast = -1;
        for (int i = 0; i < all.size(); i++) {
            if (name.equals(all.get(i).parent())) {
                nextLast = i;
            }
        }
        if (nextLast != -1) {
            sb.append(indent).append("  |\n");
        }
        indent.append("  ");
        for (int i = 0; i < all.size(); i++) {
            if (name.equals(all.get(i).parent())) {
                node(sb, all, i, nextLast, false, indent);
            }
        }
        indent.setLength(indent.length() - 2);
        if (nextLast == -1 && dev == last) {
            sb.append(indent).append('\n');
        }
        if (!root) {
            indent.setLength(indent.length() - 2);
        }
    }

    private static boolean current(Shell sh, Args a) throws Failure {
        DomainInfo d = sh.domain(a.get("domain"));
        Connection c = sh.conn();
        Optional<SnapshotInfo> s = sh.op(null, () -> c.currentSnapshot(d.name()));
        if (s.isEmpty()) {
            throw new Failure("domain '" + d.name() + "' has no current snapshot");
        }
        if (a.has("name")) {
            sh.print(s.get().name());
        } else {
            sh.print(sh.op(null, () -> c.snapshotXml(d.name(), s.get().name())));
        }
        return true;
    }

    private static String snapshotName(Shell sh, Args a, DomainInfo d) throws Failure {
        if (a.has("current")) {
            Connection c = sh.conn();
            return sh.op(null, () -> c.currentSnapshot(d.name())).map(SnapshotInfo::name)
                    .orElseThrow(() -> new Failure("domain '" + d.name() + "' has no current snapshot"));
        }
        String n = a.get("snapshotname");
        if (n == null) {
            throw new Failure("--snapshotname or --current is required");
        }
        return n;
    }

    private static boolean revert(Shell sh, Args a) throws Failure {
        DomainInfo d = sh.domain(a.get("domain"));
        String n = snapshotName(sh, a, d);
        Connection c = sh.conn();
        sh.op(null, () -> {
            c.revertSnapshot(d.name(), n);
            return null;
        });
        sh.extra("Domain snapshot " + n + " reverted\n");
        return true;
    }

    private static boolean delete(Shell sh, Args a) throws Failure {
        DomainInfo d = sh.domain(a.get("domain"));
        String n = snapshotName(sh, a, d);
        Connection c = sh.conn();
        sh.op(null, () -> {
            c.deleteSnapshot(d.name(), n);
            return null;
        });
        sh.extra("Domain snapshot " + n + " deleted\n");
        return true;
    }

    private static boolean dumpxml(Shell sh, Args a) throws Failure {
        DomainInfo d = sh.domain(a.get("domain"));
        Connection c = sh.conn();
        sh.print(sh.op(null, () -> c.snapshotXml(d.name(), a.get("snapshotname"))));
        return true;
    }
}
