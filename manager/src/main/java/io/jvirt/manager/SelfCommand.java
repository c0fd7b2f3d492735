package io.jvirt.manager;

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
        return List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xss8m", "-cp",
                System.getProperty("java.class.path"), "io.jvirt.cli.Main");
    }
}
