package io.jvirt.cli;

import java.io.PrintStream;

/** One {@code jvirt} subcommand. Returns the process exit status. */
@FunctionalInterface
public interface Command {
    int run(String[] args, PrintStream out, PrintStream err);
}
