package io.jvirt.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code jvirt} command: subcommands follow virsh's names, plus {@code run} (one VM in the
 * foreground, qemu-system's role) and {@code img} (qemu-img's verbs).
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command line; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        io.jvirt.cli.img.NativeHostFiles.install(); // disk images find holes, punch, fallocate
        Map<String, Command> commands = Commands.all();
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
            out.println("usage: jvirt COMMAND [ARGS...]");
            out.println("commands: " + String.join(", ", new TreeMap<>(commands).keySet()));
            return args.length == 0 ? 1 : 0;
        }
        Command c = commands.get(args[0]);
        if (c == null) {
            Command fallback = commands.get("virsh");
            if (fallback != null) {
                return fallback.run(args, out, err);
            }
            err.println("jvirt: unknown command '" + args[0] + "'; run 'jvirt help' for the list");
            return 1;
        }
        return c.run(Arrays.copyOfRange(args, 1, args.length), out, err);
    }
}
