package io.jvirt.cli.virsh;

import io.jvirt.cli.virsh.Shell.Failure;
import io.jvirt.cli.virsh.Spec.Args;
import io.jvirt.manager.Connection;
import io.jvirt.manager.PoolInfo;
import io.jvirt.manager.VirtException;
import io.jvirt.manager.VolumeInfo;
import io.jvirt.manager.xml.MemoryUnits;
import java.util.List;

/** virsh's pool-* and vol-* commands for directory pools. */
final class PoolCommands {

    private PoolCommands() {
    }

    static List<Spec> specs() {
        return List.of(
                Spec.of("pool-define-as", PoolCommands::defineAs, "name!", "type!", "source-host", "source-path",
                        "source-dev", "source-name", "target", "--print-xml"),
                poolAction("pool-build", "Pool %s built\n", "Failed to build pool %s", Connection::buildPool),
                poolAction("pool-start", "Pool %s started\n", "Failed to start pool %s", Connection::startPool),
                poolAction("pool-destroy", "Pool %s destroyed\n", "Failed to destroy pool %s", Connection::destroyPool),
                poolAction("pool-undefine", "Pool %s has been undefined\n", "Failed to undefine pool %s",
                        Connection::undefinePool),
                Spec.of("pool-list", PoolCommands::list, "--all", "--inactive", "--details", "--name", "--uuid"),
                Spec.of("vol-create-as", PoolCommands::createAs, "pool!", "name!", "capacity!", "--allocation=",
                        "--format=", "--backing-vol=", "--backing-vol-format=", "--prealloc-metadata"),
                Spec.of("vol-list", PoolCommands::volList, "pool!", "--details"),
                Spec.of("vol-delete", PoolCommands::volDelete, "vol!", "--pool=", "--delete-snapshots"),
                Spec.of("vol-clone", PoolCommands::volClone, "vol!", "newname!", "--pool=", "--prealloc-metadata",
                        "--reflink"),
                Spec.of("vol-resize", PoolCommands::volResize, "vol!", "capacity!", "--pool=", "--allocate",
                        "--delta", "--shrink"),
                Spec.of("vol-info", PoolCommands::volInfo, "vol!", "--pool=", "--bytes", "--physical"),
                Spec.of("vol-path", PoolCommands::volPath, "vol!", "--pool="));
    }

    interface PoolAction {
        void apply(Connection c, String pool) throws VirtException;
    }

    private static Spec poolAction(String cmd, String ok, String failed, PoolAction action) {
        return Spec.of(cmd, (sh, a) -> {
            PoolInfo p = sh.pool(a.get("pool"));
            Connection c = sh.conn();
            sh.op(String.format(failed, p.name()), () -> {
                action.apply(c, p.name());
                return null;
            });
            sh.extra(String.format(ok, p.name()));
            return true;
        }, "pool!", "--no-overwrite", "--overwrite", "--build");
    }

    private static String dash(String s) {
        return s == null || s.equals("-") ? null : s;
    }

    private static boolean defineAs(Shell sh, Args a) throws Failure {
        String name = a.get("name");
        Connection c = sh.conn();
        sh.op("Failed to define pool " + name, () -> {
            c.definePool(name, a.get("type"), dash(a.get("target")));
            return null;
        });
        sh.extra("Pool " + name + " defined\n");
        return true;
    }

    private static boolean list(Shell sh, Args a) throws Failure {
        Connection c = sh.conn();
        List<PoolInfo> pools = sh.op(null, c::listPools).stream()
                .filter(p -> a.has("all") || (a.has("inactive") ? !p.active() : p.active())).toList();
        if (a.has("name") || a.has("uuid")) {
            StringBuilder sb = new StringBuilder();
            pools.forEach(p -> sb.append(a.has("uuid") ? p.uuid().toString() : p.name()).append('\n'));
            sh.print(sb.toString());
            return true;
        }
        Table t = a.has("details")
                ? new Table("Name", "State", "Autostart", "Persistent", "Capacity", "Allocation", "Available")
                : new Table("Name", "State", "Autostart");
        for (PoolInfo p : pools) {
            String auto = p.autostart() ? "yes" : "no";
            if (a.has("details")) {
                t.row(p.name(), p.active() ? "running" : "inactive", auto, p.persistent() ? "yes" : "no",
                        p.active() ? MemoryUnits.pretty(p.capacity()) : "-",
                        p.active() ? MemoryUnits.pretty(p.allocation()) : "-",
                        p.active() ? MemoryUnits.pretty(p.available()) : "-");
            } else {
                t.row(p.name(), p.active() ? "active" : "inactive", auto);
            }
        }
        sh.print(t.render(sh.quiet));
        return true;
    }

    private static long size(String text) throws Failure {
        try {
            return MemoryUnits.parseSize(text);
        } catch (VirtException e) {
            throw new Failure("Malformed size " + text);
        } catch (ArithmeticException e) {
            throw new Failure("Malformed size " + text + ": too large");
        }
    }

    private static boolean createAs(Shell sh, Args a) throws Failure {
        PoolInfo p = sh.pool(a.get("pool"));
        String name = a.get("name");
        long cap = size(a.get("capacity"));
        Connection c = sh.conn();
        sh.op("Failed to create vol " + name, () -> c.createVolume(p.name(), name, cap, a.get("format")));
        sh.extra("Vol " + name + " created\n");
        return true;
    }

    private static boolean volList(Shell sh, Args a) throws Failure {
        PoolInfo p = sh.pool(a.get("pool"));
        Connection c = sh.conn();
        List<VolumeInfo> vols = sh.op("Failed to list volumes", () -> c.listVolumes(p.name()));
        Table t = a.has("details") ? new Table("Name", "Path", "Type", "Capacity", "Allocation")
                : new Table("Name", "Path");
        for (VolumeInfo v : vols) {
            if (a.has("details")) {
                t.row(v.name(), v.path(), "file", MemoryUnits.pretty(v.capacity()), MemoryUnits.pretty(v.allocation()));
            } else {
                t.row(v.name(), v.path());
            }
        }
        sh.print(t.render(sh.quiet));
        return true;
    }

    private static boolean volDelete(Shell sh, Args a) throws Failure {
        VolumeInfo v = sh.volume(a.get("pool"), a.get("vol"));
        Connection c = sh.conn();
        sh.op("Failed to delete vol " + v.name(), () -> {
            c.deleteVolume(a.get("pool"), v.name());
            return null;
        });
        sh.extra("Vol " + v.name() + " deleted\n");
        return true;
    }

    private static boolean volClone(Shell sh, Args a) throws Failure {
        VolumeInfo v = sh.volume(a.get("pool"), a.get("vol"));
        String n = a.get("newname");
        Connection c = sh.conn();
        sh.op("Failed to clone vol from " + v.name(), () -> c.cloneVolume(a.get("pool"), v.name(), n));
        sh.extra("Vol " + n + " cloned from " + v.name() + "\n");
        return true;
    }

    private static boolean volResize(Shell sh, Args a) throws Failure {
        VolumeInfo v = sh.volume(a.get("pool"), a.get("vol"));
        String text = a.get("capacity");
        long cap = size(text);
        long target = a.has("delta") ? v.capacity() + cap : cap;
        Connection c = sh.conn();
        sh.op("Failed to change size of volume '" + v.name() + "' to " + text, () -> {
            c.resizeVolume(a.get("pool"), v.name(), target, a.has("shrink"));
            return null;
        });
        sh.extra("Size of volume '" + v.name() + "' successfully changed to " + text + "\n");
        return true;
    }

    private static boolean volInfo(Shell sh, Args a) throws Failure {
        VolumeInfo v = sh.volume(a.get("pool"), a.get("vol"));
        boolean bytes = a.has("bytes");
        sh.print(String.format("%-15s %s%n%-15s %s%n%-15s %s%n%-15s %s%n", "Name:", v.name(), "Type:", "file",
                "Capacity:", bytes ? v.capacity() + " bytes" : MemoryUnits.pretty(v.capacity()),
                "Allocation:", bytes ? v.allocation() + " bytes" : MemoryUnits.pretty(v.allocation())));
        return true;
    }

    private static boolean volPath(Shell sh, Args a) throws Failure {
        sh.print(sh.volume(a.get("pool"), a.get("vol")).path() + "\n");
        return true;
    }
}
