package io.jvirt.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs host commands for the fixtures, with their output (stderr merged) and a time limit. */
public final class Host {

    private static final long MINUTES = 10;

    private Host() {
    }

    /** A finished command: exit status and its stdout and stderr together. */
    public record Result(int status, String out) {
    }

    /**
     * Runs {@code cmd} in {@code dir} (null: the current directory) for at most 10 minutes. A
     * command that cannot start gives status 127 with the reason as its output, as a shell would.
     */
    public static Result run(Path dir, String... cmd) {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return new Result(124, String.join(" ", cmd) + " took over " + MINUTES + " min\n" + out);
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            return new Result(127, cmd[0] + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted while running " + cmd[0], e));
        }
    }

    /** As {@link #run} but fails with the command's output when its status is not 0. */
    public static String check(Path dir, String... cmd) {
        Result r = run(dir, cmd);
        if (r.status() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " exited " + r.status() + ":\n" + r.out());
        }
        return r.out();
    }
}
