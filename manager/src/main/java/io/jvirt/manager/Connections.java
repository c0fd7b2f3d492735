package io.jvirt.manager;

import io.jvirt.manager.daemon.RestClient;
import io.jvirt.manager.driver.TestDriver;
import io.jvirt.manager.store.Store;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Opens a {@link Connection} by URI, as virConnectOpen does. */
public final class Connections {

    private static final long DAEMON_START_TIMEOUT_MS = 30_000;

    private Connections() {
    }

    static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The URI used when none is given: JVIRT_DEFAULT_URI, else jvirt:///system for root, jvirt:///session otherwise. */
    public static String defaultUri() {
        String env = System.getenv("JVIRT_DEFAULT_URI");
        if (env != null && !env.isEmpty()) {
            return env;
        }
        return root() ? "jvirt:///system" : "jvirt:///session";
    }

    /** The store a jvirt:/// URI names. */
    public static Store store(String uri) throws VirtException {
        return switch (uri) {
            case "jvirt:///system" -> {
                if (!root()) {
                    throw new VirtException(VirtException.Code.INVALID_ARG,
                            "jvirt:///system is root's; run as root or use jvirt:///session");
                }
                yield new Store(Store.defaultRoot(true));
            }
            case "jvirt:///session" -> new Store(Store.defaultRoot(false));
            default -> throw new VirtException(VirtException.Code.INVALID_ARG, "no connection driver available for "
                    + uri + "; use test:///default, jvirt:///system or jvirt:///session");
        };
    }

    public static Connection open(String uri) throws VirtException {
        if (uri.equals(TestDriver.URI)) {
            return TestDriver.open();
        }
        if (uri.startsWith(TLS_SCHEME + "://")) {
            return openTls(uri);
        }
        Store store = store(uri);
        if (!RestClient.alive(store.socket())) {
            startDaemon(store, uri);
        }
        return new RestClient(uri, store.socket());
    }

    /** A daemon's API on TCP: {@code jvirt+tls://HOST:PORT/system?ca=CA.pem&token_file=TOKEN} (see manager/README.md). */
    static final String TLS_SCHEME = "jvirt+tls";

    static Connection openTls(String uri) throws VirtException {
        java.net.URI u;
        try {
            u = new java.net.URI(uri);
        } catch (java.net.URISyntaxException e) {
            throw new VirtException(VirtException.Code.INVALID_ARG, "invalid argument: '" + uri + "' is not a URI: " + e.getMessage());
        }
        if (u.getHost() == null || u.getPort() < 0) {
            throw new VirtException(VirtException.Code.INVALID_ARG, "invalid argument: " + uri
                    + " names no host and port; use jvirt+tls://HOST:PORT/system?ca=CA.pem&token_file=TOKEN");
        }
        java.util.Map<String, String> q = new java.util.HashMap<>();
        if (u.getQuery() != null) {
            for (String kv : u.getQuery().split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    q.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
        }
        String ca = q.getOrDefault("ca", System.getenv("JVIRT_TLS_CA"));
        String tokenFile = q.getOrDefault("token_file", System.getenv("JVIRT_TOKEN_FILE"));
        if (tokenFile == null || tokenFile.isBlank()) {
            throw new VirtException(VirtException.Code.INVALID_ARG, "invalid argument: " + uri + " needs the daemon's API"
                    + " token; add token_file=PATH to the URI or set JVIRT_TOKEN_FILE");
        }
        String token;
        try {
            token = Files.readString(Path.of(tokenFile)).strip();
        } catch (IOException e) {
            throw new VirtException(VirtException.Code.INVALID_ARG, "invalid argument: cannot read the token file "
                    + tokenFile + ": " + e.getMessage());
        }
        javax.net.ssl.SSLContext tls = io.jvirt.manager.daemon.Tls.client(ca == null || ca.isBlank() ? null : Path.of(ca));
        String clean = TLS_SCHEME + "://" + u.getHost() + ":" + u.getPort() + (u.getPath() == null ? "" : u.getPath());
        return RestClient.tls(clean, u.getHost(), u.getPort(), tls, token);
    }

    /** Starts {@code jvirt daemon} for the store in its own session and waits for its socket. */
    static void startDaemon(Store store, String uri) throws VirtException {
        store.init();
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            cmd.add("/usr/bin/setsid");
        }
        cmd.addAll(SelfCommand.command());
        cmd.addAll(List.of("daemon", "--uri", uri, "--root", store.root().toString()));
        Path log = store.runDir().resolve("jvirtd.log");
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectInput(new File("/dev/null"))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw VirtException.internal("cannot start the jvirt daemon (" + String.join(" ", cmd) + "): " + e.getMessage());
        }
        long deadline = System.currentTimeMillis() + DAEMON_START_TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline) {
            if (RestClient.alive(store.socket())) {
                return;
            }
            // A daemon that exits at once may have lost the store's lock to another CLI's daemon,
            // which then answers shortly; give up early only when nothing is starting.
            if (!p.isAlive() && System.currentTimeMillis() > deadline - DAEMON_START_TIMEOUT_MS + 5_000
                    && !RestClient.alive(store.socket())) {
                throw VirtException.internal("the jvirt daemon exited with status " + p.exitValue()
                        + " while starting; see " + log);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw VirtException.internal("the jvirt daemon did not open " + store.socket() + " within "
                + DAEMON_START_TIMEOUT_MS / 1000 + " s; see " + log);
    }
}
