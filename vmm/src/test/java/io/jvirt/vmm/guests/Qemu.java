package io.jvirt.vmm.guests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The reference peer: qemu-system-x86_64 with the software CPU (TCG), console on stdio. */
public final class Qemu {

    public static final String BINARY = "qemu-system-x86_64";

    private Qemu() {
    }

    /** Null when qemu-system-x86_64 is on the PATH, else why the tests that need it skip. */
    public static String missingReason() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, BINARY))) {
                return null;
            }
        }
        return BINARY + " is not installed (apt-get install qemu-system-x86; scripts/install-deps)";
    }

    /**
     * The command line booting {@code kernel} (a PVH ELF or a bzImage) on a PC with the
     * software CPU; -no-reboot turns a reset or triple fault into an exit with status 0.
     */
    public static List<String> command(Path kernel, String cmdline, int cpus, String... extra) {
        List<String> c = new ArrayList<>(List.of(BINARY, "-accel", "tcg", "-M", "pc", "-m", "256",
                "-smp", Integer.toString(cpus), "-nographic", "-no-reboot", "-nic", "none",
                "-kernel", kernel.toString()));
        if (cmdline != null) {
            c.add("-append");
            c.add(cmdline);
        }
        c.addAll(List.of(extra));
        return c;
    }

    static void requireOrSkip() throws IOException {
        String why = missingReason();
        org.junit.jupiter.api.Assumptions.assumeTrue(why == null, why);
    }
}
