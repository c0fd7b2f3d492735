package io.jvirt.cli.virsh;

import java.io.PrintStream;

/** Placeholder until this command is built. */
public final class VirshCommand {
    private VirshCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        err.println("jvirt: 'virsh' is not built yet");
        return 1;
    }
}
