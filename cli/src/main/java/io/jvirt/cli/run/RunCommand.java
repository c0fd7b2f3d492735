package io.jvirt.cli.run;

import java.io.PrintStream;

/** Placeholder until this command is built. */
public final class RunCommand {
    private RunCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        err.println("jvirt: 'run' is not built yet");
        return 1;
    }
}
