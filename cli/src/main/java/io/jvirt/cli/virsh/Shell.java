package io.jvirt.cli.virsh;

import io.jvirt.manager.Connection;
import io.jvirt.manager.Connections;
import io.jvirt.manager.DomainInfo;
import io.jvirt.manager.PoolInfo;
import io.jvirt.manager.VirtException;
import io.jvirt.manager.VolumeInfo;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;

/**
 * One virsh session: the connection (opened on first use), the output streams and -q. Errors
 * are printed as virsh prints them: "error: headline" then "error: driver message".
 */
final class Shell implements AutoCloseable {

    /** A command failure already phrased as virsh's error lines. */
    static final class Failure extends Exception {
        final List<String> lines;

        Failure(String... lines) {
            super(String.join("; ", lines));
            this.lines = List.of(lines);
        }
    }

    /** An action against the driver. */
    @FunctionalInterface
    interface Op<T> {
        T run() throws VirtException;
    }

    final String uri;
    final PrintStream out;
    final PrintStream err;
    final InputStream in;
    final boolean quiet;
    private Connection conn;

    Shell(String uri, InputStream in, PrintStream out, PrintStream err, boolean quiet) {
        this.uri = uri;
        this.in = in;
        this.out = out;
        this.err = err;
        this.quiet = quiet;
    }

    Connection conn() throws Failure {
        if (conn == null) {
            try {
                conn = Connections.open(uri);
            } catch (VirtException e) {
                throw new Failure("failed to connect to the hypervisor", e.getMessage());
            }
        }
        return conn;
    }

    /** Informational output that -q suppresses (vshPrintExtra). */
    void extra(String s) {
        if (!quiet) {
            out.print(s);
        }
    }

    void print(String s) {
        out.print(s);
    }

    /** Runs {@code op}; a driver error becomes "error: headline" + "error: message". */
    <T> T op(String headline, Op<T> op) throws Failure {
        try {
            return op.run();
        } catch (VirtException e) {
            throw headline == null ? new Failure(e.getMessage()) : new Failure(headline, e.getMessage());
        }
    }

    DomainInfo domain(String key) throws Failure {
        try {
            return conn().domain(key);
        } catch (VirtException e) {
            if (e.code() == VirtException.Code.NO_DOMAIN) {
                throw new Failure("failed to get domain '" + key + "'");
            }
            throw new Failure(e.getMessage());
        }
    }

    PoolInfo pool(String name) throws Failure {
        Connection c = conn();
        return op("failed to get pool '" + name + "'", () -> c.pool(name));
    }

    VolumeInfo volume(String pool, String vol) throws Failure {
        if (pool == null) {
            throw new Failure("failed to get vol '" + vol + "'", "no --pool given; use --pool NAME");
        }
        pool(pool);
        Connection c = conn();
        return op("failed to get vol '" + vol + "'", () -> c.volume(pool, vol));
    }

    @Override
    public void close() {
        if (conn != null) {
            conn.close();
        }
    }
}
