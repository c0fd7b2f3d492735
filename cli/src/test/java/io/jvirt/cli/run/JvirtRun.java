package io.jvirt.cli.run;

import static org.junit.jupiter.api.Assertions.fail;

import io.jvirt.manager.SelfCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code jvirt run} as a user runs it: its own process (java with this test's class path and
 * main class, {@link SelfCommand}), optionally behind a prefix such as {@code ip netns exec NS},
 * the serial console in a file ({@code --console file:PATH}). Waits for it to exit and keeps
 * what it printed, for assertions whose message shows the console's tail.
 *
 * @param status  jvirt's exit status
 * @param console the serial console's text
 * @param stderr  what jvirt wrote on stderr
 */
record JvirtRun(int status, String console, String stderr) {

    /** Minutes a Linux boot and its script may take on the software CPU; -Djvirt.tcg.bootMinutes=N. */
    static final long MINUTES = Long.getLong("jvirt.tcg.bootMinutes", 15);

    /**
     * Runs {@code prefix... jvirt run --console file:DIR/console.log args...} and waits up to
     * {@link #MINUTES} for it to end; a jvirt still running then is killed and the test fails.
     */
    static JvirtRun run(Path dir, List<String> prefix, String... args) throws IOException, InterruptedException {
        Path console = dir.resolve("console.log");
        Path err = dir.resolve("stderr.log");
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(SelfCommand.command());
        cmd.addAll(List.of("run", "--console", "file:" + console));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        if (!p.waitFor(MINUTES, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            fail("jvirt run did not end within " + MINUTES + " min (-Djvirt.tcg.bootMinutes); " + String.join(" ", cmd)
                    + "\nconsole tail:\n" + tail(read(console)) + "\nstderr:\n" + read(err));
        }
        return new JvirtRun(p.exitValue(), read(console), read(err));
    }

    /** For assertion messages: the status, stderr and the last 5000 characters of the console. */
    String describe() {
        return "jvirt run exited " + status + "; stderr:\n" + stderr + "\nconsole tail:\n" + tail(console);
    }

    private static String tail(String s) {
        return s.substring(Math.max(0, s.length() - 5000));
    }

    private static String read(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p, StandardCharsets.ISO_8859_1) : "";
    }
}
