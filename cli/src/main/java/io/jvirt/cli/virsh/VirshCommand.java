package io.jvirt.cli.virsh;

import io.jvirt.manager.Connections;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code jvirt [-c URI] [-q] COMMAND ARGS...}: virsh's command line. One argument is parsed as a
 * command string ("start a; list --all"), several are one command, none reads commands from
 * standard input. Like virsh, every command's output is followed by an empty line (unless -q),
 * errors go to standard error as "error: ...", and the status is that of the last command.
 */
public final class VirshCommand {

    private static final Map<String, Spec> SPECS = new HashMap<>();

    static {
        List<Spec> all = new ArrayList<>();
        all.addAll(DomainCommands.specs());
        all.addAll(SnapshotCommands.specs());
        all.addAll(PoolCommands.specs());
        all.addAll(NetworkCommands.specs());
        all.addAll(EventCommand.specs());
        all.forEach(s -> SPECS.put(s.name(), s));
    }

    private VirshCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, System.in, out, err);
    }

    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        String uri = null;
        boolean quiet = false;
        int i = 0;
        for (; i < args.length; i++) {
            String a = args[i];
            if ((a.equals("-c") || a.equals("--connect")) && i + 1 < args.length) {
                uri = args[++i];
            } else if (a.startsWith("--connect=")) {
                uri = a.substring("--connect=".length());
            } else if (a.equals("-q") || a.equals("--quiet")) {
                quiet = true;
            } else if (a.equals("virsh")) {
                continue;
            } else if (a.startsWith("-") && !a.equals("-")) {
                err.println("error: unsupported option '" + a + "'. See --help.");
                return 1;
            } else {
                break;
            }
        }
        if (i < args.length && args[i].equals("daemon")) {
            return DaemonCommand.run(args, i + 1, err);
        }
        List<List<String>> commands;
        if (i == args.length) {
            try {
                commands = Tokenizer.split(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                err.println("error: cannot read commands from standard input: " + e.getMessage());
                return 1;
            }
        } else if (i == args.length - 1) {
            commands = Tokenizer.split(args[i]);
        } else {
            commands = List.of(List.of(args).subList(i, args.length));
        }
        List<Spec.Args> parsed = new ArrayList<>();
        for (List<String> words : commands) {
            Spec s = SPECS.get(words.getFirst());
            if (s == null) {
                err.println("error: unknown command: '" + words.getFirst() + "'");
                return 1;
            }
            try {
                parsed.add(s.parse(words));
            } catch (Spec.UsageException e) {
                err.println("error: " + e.getMessage());
                return 1;
            }
        }
        boolean ok = true;
        try (Shell sh = new Shell(uri == null ? Connections.defaultUri() : uri, in, out, err, quiet)) {
            for (Spec.Args a : parsed) {
                ok = runOne(sh, a);
                sh.extra("\n");
                out.flush();
            }
        }
        return ok ? 0 : 1;
    }

    private static boolean runOne(Shell sh, Spec.Args a) {
        try {
            return SPECS.get(a.command()).handler().run(sh, a);
        } catch (Shell.Failure f) {
            sh.out.flush();
            f.lines.forEach(l -> sh.err.println("error: " + l));
            return false;
        } catch (io.jvirt.manager.VirtException e) {
            sh.out.flush();
            sh.err.println("error: " + e.getMessage());
            return false;
        }
    }
}
