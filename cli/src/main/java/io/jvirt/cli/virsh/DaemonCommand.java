package io.jvirt.cli.virsh;

import io.jvirt.manager.Connections;
import io.jvirt.manager.VirtException;
import io.jvirt.manager.daemon.Daemon;
import io.jvirt.manager.store.Store;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code jvirt daemon [--uri jvirt:///session] [--root DIR] [--listen tcp:HOST:PORT --token-file F
 * (--tls-cert PEM --tls-key PEM | --tls-keystore P12)]}: runs the manager daemon in the foreground
 * until SIGTERM/SIGINT, on its unix socket and optionally on TCP with TLS and a token. VMs keep
 * running when it stops. The CLI starts it on demand.
 */
final class DaemonCommand {

    private DaemonCommand() {
    }

    static final String USAGE = "use --uri URI, --root DIR, --listen tcp:HOST:PORT with --token-file FILE and"
            + " either --tls-cert PEM --tls-key PEM or --tls-keystore P12 [--tls-keystore-password-file FILE]";

    static int run(String[] args, int from, PrintStream err) {
        String uri = Connections.defaultUri();
        Path root = null;
        java.util.Map<String, String> o = new java.util.HashMap<>();
        for (int i = from; i < args.length; i++) {
            switch (args[i]) {
                case "--uri", "--root", "--listen", "--tls-cert", "--tls-key", "--tls-keystore",
                     "--tls-keystore-password-file", "--token-file" -> {
                    String v = value(args, i + 1);
                    if (v == null) {
                        err.println("error: jvirt daemon: " + args[i] + " needs a value");
                        return 1;
                    }
                    switch (args[i]) {
                        case "--uri" -> uri = v;
                        case "--root" -> root = Path.of(v);
                        default -> o.put(args[i], v);
                    }
                    i++;
                }
                default -> {
                    err.println("error: jvirt daemon: unknown option '" + args[i] + "'; " + USAGE);
                    return 1;
                }
            }
        }
        try {
            Daemon.TcpListener listen = listener(o);
            Store store = root != null ? new Store(root) : Connections.store(uri);
            Daemon d = Daemon.start(store, uri, null, listen);
            Runtime.getRuntime().addShutdownHook(new Thread(d::close, "jvirtd-stop"));
            d.await();
            return 0;
        } catch (VirtException e) {
            err.println("error: " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            err.println("error: jvirt daemon: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** --listen tcp:HOST:PORT and its TLS and token options; null without --listen. */
    static Daemon.TcpListener listener(java.util.Map<String, String> o) throws VirtException {
        String listen = o.get("--listen");
        if (listen == null) {
            if (o.keySet().stream().anyMatch(k -> k.startsWith("--tls") || k.equals("--token-file"))) {
                throw new IllegalArgumentException("TLS and token options need --listen tcp:HOST:PORT");
            }
            return null;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("tcp:(\\[[0-9a-fA-F:]+]|[^:]+):(\\d{1,5})").matcher(listen);
        if (!m.matches() || Integer.parseInt(m.group(2)) > 65535) {
            throw new IllegalArgumentException("--listen '" + listen + "' is not tcp:HOST:PORT; use e.g. tcp:0.0.0.0:16514");
        }
        String host = m.group(1).replaceAll("^\\[|]$", "");
        javax.net.ssl.SSLContext tls;
        if (o.containsKey("--tls-keystore")) {
            char[] password = new char[0];
            String pw = o.get("--tls-keystore-password-file");
            if (pw != null) {
                password = read(pw, "--tls-keystore-password-file").strip().toCharArray();
            }
            tls = io.jvirt.manager.daemon.Tls.server(Path.of(o.get("--tls-keystore")), password);
        } else if (o.containsKey("--tls-cert") && o.containsKey("--tls-key")) {
            tls = io.jvirt.manager.daemon.Tls.server(Path.of(o.get("--tls-cert")), Path.of(o.get("--tls-key")));
        } else {
            throw new IllegalArgumentException("--listen " + listen + " needs TLS: the API on TCP is served only with"
                    + " TLS; give --tls-cert PEM --tls-key PEM or --tls-keystore P12");
        }
        String tokenFile = o.get("--token-file");
        if (tokenFile == null) {
            throw new IllegalArgumentException("--listen " + listen + " needs --token-file FILE: the API on TCP asks"
                    + " every client for a token; create one with 'head -c 32 /dev/urandom | base64 > FILE'");
        }
        return new Daemon.TcpListener(new java.net.InetSocketAddress(host, Integer.parseInt(m.group(2))), tls,
                read(tokenFile, "--token-file"));
    }

    private static String read(String file, String option) {
        try {
            return java.nio.file.Files.readString(Path.of(file));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(option + " " + file + ": cannot read it (" + e.getMessage() + ")");
        }
    }

    private static String value(String[] args, int i) {
        return i < args.length ? args[i] : null;
    }
}
