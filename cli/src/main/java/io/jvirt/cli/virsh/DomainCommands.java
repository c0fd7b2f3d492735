package io.jvirt.cli.virsh;

import io.jvirt.cli.virsh.Shell.Failure;
import io.jvirt.cli.virsh.Spec.Args;
import io.jvirt.manager.Connection;
import io.jvirt.manager.DomainInfo;
import io.jvirt.manager.DomainState;
import io.jvirt.manager.VirtException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** virsh's domain commands: define, start, list, dominfo, ... with virsh's messages. */
final class DomainCommands {

    private DomainCommands() {
    }

    static List<Spec> specs() {
        return List.of(
                Spec.of("define", DomainCommands::define, "file!", "--validate"),
                Spec.of("create", DomainCommands::create, "file!", "--console", "--paused", "--validate"),
                Spec.of("undefine", DomainCommands::undefine, "domain!", "--snapshots-metadata",
                        "--managed-save", "--nvram", "--keep-nvram", "--remove-all-storage"),
                Spec.of("start", DomainCommands::start, "domain!", "--console", "--paused"),
                simple("shutdown", "Domain '%s' is being shutdown\n", "Failed to shutdown domain '%s'", Connection::shutdown),
                simple("destroy", "Domain '%s' destroyed\n", "Failed to destroy domain '%s'", Connection::destroy),
                simple("reboot", "Domain '%s' is being rebooted\n", "Failed to reboot domain '%s'", Connection::reboot),
                simple("reset", "Domain '%s' was reset\n", "Failed to reset domain '%s'", Connection::reset),
                simple("suspend", "Domain '%s' suspended\n", "Failed to suspend domain '%s'", Connection::suspend),
                simple("resume", "Domain '%s' resumed\n", "Failed to resume domain '%s'", Connection::resume),
                Spec.of("list", DomainCommands::list, "--all", "--inactive", "--name", "--uuid", "--table",
                        "--state-running", "--state-paused", "--state-shutoff", "--persistent", "--transient",
                        "--autostart", "--no-autostart", "--with-snapshot", "--without-snapshot"),
                Spec.of("dominfo", DomainCommands::dominfo, "domain!"),
                Spec.of("domstate", DomainCommands::domstate, "domain!", "--reason"),
                Spec.of("dumpxml", DomainCommands::dumpxml, "domain!", "--inactive", "--security-info",
                        "--update-cpu", "--migratable"),
                Spec.of("edit", DomainCommands::edit, "domain!"),
                Spec.of("autostart", DomainCommands::autostart, "domain!", "--disable"),
                Spec.of("domid", DomainCommands::domid, "domain!"),
                Spec.of("domuuid", DomainCommands::domuuid, "domain!"),
                Spec.of("domname", DomainCommands::domname, "domain!"),
                Spec.of("console", ConsoleCommand::console, "domain!", "devname", "--force", "--safe"));
    }

    /** An action with virsh's success message and failure headline. */
    interface Action {
        void apply(Connection c, String name) throws VirtException;
    }

    private static Spec simple(String cmd, String ok, String failed, Action action) {
        return Spec.of(cmd, (sh, a) -> {
            DomainInfo d = sh.domain(a.get("domain"));
            Connection c = sh.conn();
            sh.op(String.format(failed, d.name()), () -> {
                action.apply(c, d.name());
                return null;
            });
            sh.extra(String.format(ok, d.name()));
            return true;
        }, "domain!");
    }

    static String readFile(String file) throws Failure {
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new Failure("Failed to open file '" + file + "': No such file or directory");
        } catch (IOException e) {
            throw new Failure("Failed to open file '" + file + "': " + e.getMessage());
        }
    }

    private static boolean define(Shell sh, Args a) throws Failure {
        String file = a.get("file");
        String xml = readFile(file);
        Connection c = sh.conn();
        DomainInfo d = sh.op("Failed to define domain from " + file, () -> c.define(xml, "domain_definition"));
        sh.extra("Domain '" + d.name() + "' defined from " + file + "\n");
        return true;
    }

    private static boolean create(Shell sh, Args a) throws Failure {
        String file = a.get("file");
        String xml = readFile(file);
        Connection c = sh.conn();
        DomainInfo d = sh.op("Failed to create domain from " + file, () -> c.create(xml, "domain_definition"));
        if (a.has("paused")) {
            sh.op("Failed to suspend domain '" + d.name() + "'", () -> {
                c.suspend(d.name());
                return null;
            });
        }
        sh.extra("Domain '" + d.name() + "' created from " + file + "\n");
        return true;
    }

    private static boolean undefine(Shell sh, Args a) throws Failure {
        DomainInfo d = sh.domain(a.get("domain"));
        Connection c = sh.conn();
        sh.op("Failed to undefine domain '" + d.name() + "'", () -> {
            if (a.has("snapshots-metadata")) {
                for (var s : c.listSnapshots(d.name())) {
                    c.deleteSnapshot(d.name(), s.name());
                }
            }
            c.undefine(d.name());
            return null;
        });
        sh.extra("Domain '" + d.name() + "' has been undefined\n");
        return true;
    }

    private static boolean start(Shell sh, Args a) throws Failure {
        DomainInfo d = sh.domain(a.get("domain"));
        if (d.state().active()) {
            throw new Failure("Domain is already active");
        }
        Connection c = sh.conn();
        sh.op("Failed to start domain '" + d.name() + "'", () -> {
            c.start(d.name());
            if (a.has("paused")) {
                c.suspend(d.name());
            }
            return null;
        });
        sh.extra("Domain '" + d.name() + "' started\n");
        if (a.has("console")) {
            return ConsoleCommand.attach(sh, d.name());
        }
        return true;
    }

    private static boolean list(Shell sh, Args a) throws Failure {
        Connection c = sh.conn();
        List<DomainInfo> all = new ArrayList<>(sh.op(null, c::listDomains));
        boolean any = a.has("all");
        boolean states = a.has("state-running") || a.has("state-paused") || a.has("state-shutoff");
        all.removeIf(d -> {
            if (states) {
                return !((a.has("state-running") && d.state() == DomainState.RUNNING)
                        || (a.has("state-paused") && d.state() == DomainState.PAUSED)
                        || (a.has("state-shutoff") && d.state() == DomainState.SHUTOFF));
            }
            if (a.has("inactive") && !any) {
                return d.state().active();
            }
            return !any && !d.state().active();
        });
        all.removeIf(d -> (a.has("persistent") && !d.persistent()) || (a.has("transient") && d.persistent())
                || (a.has("autostart") && !d.autostart()) || (a.has("no-autostart") && d.autostart())
                || (a.has("with-snapshot") && d.snapshots() == 0)
                || (a.has("without-snapshot") && d.snapshots() > 0));
        // virsh lists running domains by id, then inactive ones by name.
        all.sort(Comparator.comparing((DomainInfo d) -> !d.state().active())
                .thenComparingInt(d -> d.state().active() ? d.id() : 0)
                .thenComparing(DomainInfo::name));
        if (a.has("name") || a.has("uuid")) {
            StringBuilder sb = new StringBuilder();
            for (DomainInfo d : all) {
                if (a.has("uuid") && a.has("name")) {
                    sb.append(d.uuid()).append("  ").append(d.name()).append('\n');
                } else {
                    sb.append(a.has("uuid") ? d.uuid().toString() : d.name()).append('\n');
                }
            }
            sh.print(sb.toString());
            return true;
        }
        Table t = new Table("Id", "Name", "State");
        for (DomainInfo d : all) {
            t.row(d.state().active() ? Integer.toString(d.id()) : "-", d.name(), d.state().label());
        }
        sh.print(t.render(sh.quiet));
        return true;
    }

    private static boolean dominfo(Shell sh, Args a) throws Failure {
        DomainInfo d = sh.domain(a.get("domain"));
        StringBuilder sb = new StringBuilder();
        line(sb, "Id:", d.state().active() ? Integer.toString(d.id()) : "-");
        line(sb, "Name:", d.name());
        line(sb, "UUID:", d.uuid().toString());
        line(sb, "OS Type:", d.osType());
        line(sb, "State:", d.state().label());
        line(sb, "CPU(s):", Integer.toString(d.vcpus()));
        if (d.cpuTimeNanos() != 0) {
            line(sb, "CPU time:", String.format(Locale.ROOT, "%.1fs", d.cpuTimeNanos() / 1e9));
        }
        line(sb, "Max memory:", d.maxMemoryKiB() + " KiB");
        line(sb, "Used memory:", d.memoryKiB() + " KiB");
        line(sb, "Persistent:", d.persistent() ? "yes" : "no");
        line(sb, "Autostart:", d.autostart() ? "enable" : "disable");
        line(sb, "Managed save:", "no");
        String model = sh.conn().securityModel();
        if (model != null) {
            line(sb, "Security model:", model);
            line(sb, "Security DOI:", "");
            if (d.state().active()) {
                line(sb, "Security label:", "libvirt-test (enforcing)");
            }
        }
        sh.print(sb.toString());
        return true;
    }

    private static void line(StringBuilder sb, String k, String v) {
        sb.append(String.format(Locale.ROOT, "%-15s %s", k, v)).append('\n');
    }

    private static boolean domstate(Shell sh, Args a) throws Failure {
        DomainInfo d = sh.domain(a.get("domain"));
        sh.print(d.state().label() + (a.has("reason") ? " (" + d.reason() + ")" : "") + "\n");
        return true;
    }

    private static boolean dumpxml(Shell sh, Args a) throws Failure {
        DomainInfo d = sh.domain(a.get("domain"));
        Connection c = sh.conn();
        sh.print(sh.op(null, () -> c.dumpXml(d.name(), a.has("inactive"))));
        return true;
    }

    private static boolean edit(Shell sh, Args a) throws Failure {
        DomainInfo d = sh.domain(a.get("domain"));
        Connection c = sh.conn();
        String before = sh.op(null, () -> c.dumpXml(d.name(), true));
        String after = Editor.edit(before, "jvirt-" + d.name());
        if (after.equals(before)) {
            sh.extra("Domain '" + d.name() + "' XML configuration not changed.\n");
            return true;
        }
        sh.op(null, () -> c.define(after, "domain_definition"));
        sh.extra("Domain '" + d.name() + "' XML configuration edited.\n");
        return true;
    }

    private static boolean autostart(Shell sh, Args a) throws Failure {
        DomainInfo d = sh.domain(a.get("domain"));
        boolean on = !a.has("disable");
        Connection c = sh.conn();
        sh.op((on ? "Failed to mark domain '" : "Failed to unmark domain '") + d.name() + "' as autostarted", () -> {
            c.setAutostart(d.name(), on);
            return null;
        });
        sh.extra("Domain '" + d.name() + "' " + (on ? "marked" : "unmarked") + " as autostarted\n");
        return true;
    }

    private static boolean domid(Shell sh, Args a) throws Failure {
        DomainInfo d = sh.domain(a.get("domain"));
        sh.print((d.state().active() ? Integer.toString(d.id()) : "-") + "\n");
        return true;
    }

    private static boolean domuuid(Shell sh, Args a) throws Failure {
        sh.print(sh.domain(a.get("domain")).uuid() + "\n");
        return true;
    }

    private static boolean domname(Shell sh, Args a) throws Failure {
        // virsh domname takes an id or a UUID, not a name.
        String key = a.get("domain");
        DomainInfo d = sh.domain(key);
        if (key.equals(d.name()) && !key.equals(Integer.toString(d.id())) && !key.equals(d.uuid().toString())) {
            throw new Failure("failed to get domain '" + key + "'");
        }
        sh.print(d.name() + "\n");
        return true;
    }
}
