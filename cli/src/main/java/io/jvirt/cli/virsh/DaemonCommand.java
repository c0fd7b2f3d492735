package io.jvirt.cli.virsh;

import io.jvirt.manager.Connections;
import io.jvirt.manager.VirtException;
import io.jvirt.manager.daemon.Daemon;
import io.jvirt.manager.store.Store;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code jvirt daemon [--uri jvirt:///session] [--root DIR]}: runs the manager daemon in the
 * foreground until SIGTERM/SIGINT. VMs keep running when it stops. The CLI starts it on demand.
 */
final class DaemonCommand {

    private DaemonCommand() {
    }

    static int run(String[] args, int from, PrintStream err) {
        String uri = Connections.defaultUri();
        Path root = null;
        for (int i = from; i < args.length; i++) {
            switch (args[i]) {
                case "--uri", "--root" -> {
                    String v = value(args, i + 1);
                    if (v == null) {
                        err.println("error: jvirt daemon: " + args[i] + " needs a value");
                        return 1;
                    }
                    if (args[i].equals("--uri")) {
                        uri = v;
                    } else {
                        root = Path.of(v);
                    }
                    i++;
                }
                default -> {
                    err.println("error: jvirt daemon: unknown option '" + args[i] + "'; use --uri URI and --root DIR");
                    return 1;
                }
            }
        }
        try {
            Store store = root != null ? new Store(root) : Connections.store(uri);
            Daemon d = Daemon.start(store, uri, null);
            Runtime.getRuntime().addShutdownHook(new Thread(d::close, "jvirtd-stop"));
            d.await();
            return 0;
        } catch (VirtException e) {
            err.println("error: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private static String value(String[] args, int i) {
        return i < args.length ? args[i] : null;
    }
}
