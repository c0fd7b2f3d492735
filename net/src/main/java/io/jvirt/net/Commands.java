package io.jvirt.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs host commands (iproute2's {@code ip}) and turns failures into one-line {@link NetException}s. */
final class Commands {
    private static final System.Logger LOG = System.getLogger(Commands.class.getName());
    private static final long TIMEOUT_SECONDS = 30;

    private Commands() {
    }

    /** Runs {@code command}; returns its standard output, or throws naming the command and what it said. */
    static String run(List<String> command) {
        LOG.log(System.Logger.Level.DEBUG, "running {0}", command);
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new NetException("cannot run " + command.getFirst() + " (" + e.getMessage()
                    + "); install iproute2 (apt-get install iproute2)", e);
        }
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new NetException(String.join(" ", command) + ": no answer after " + TIMEOUT_SECONDS + " s");
            }
            if (p.exitValue() != 0) {
                throw new NetException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): "
                        + out.strip().replace('\n', ' ') + hint(out));
            }
            return out;
        } catch (IOException e) {
            throw new NetException(String.join(" ", command) + ": reading its output failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new NetException(String.join(" ", command) + ": interrupted", e);
        }
    }

    private static String hint(String out) {
        return out.contains("Operation not permitted") ? "; run as root or with CAP_NET_ADMIN and CAP_SYS_ADMIN" : "";
    }
}
