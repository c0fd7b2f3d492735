package io.jvirt.manager;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * How to run {@code jvirt} again from inside jvirt: the daemon started on demand by the CLI,
 * and {@code jvirt run} started by the daemon. JVIRT_COMMAND overrides it (space-separated).
 */
public final class SelfCommand {

    private SelfCommand() {
    }

    public static List<String> command() {
        String env = System.getenv("JVIRT_COMMAND");
        if (env != null && !env.isBlank()) {
            return List.of(env.trim().split("\\s+"));
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xss8m",
                // A VMM's stdout is its guest's console: the JVM's own output goes to stderr.
                "-XX:+DisplayVMOutputToStderr", "-Xlog:disable", "-Xlog:all=warning:stderr"));
        // The launcher's AOT cache (./jvirt) was made for this class path: the child uses it too.
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-XX:AOTCache=")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.jvirt.cli.Main"));
        return List.copyOf(cmd);
    }
}
