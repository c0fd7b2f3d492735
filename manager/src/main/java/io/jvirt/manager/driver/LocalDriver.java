package io.jvirt.manager.driver;

import io.jvirt.manager.Connection;
import io.jvirt.manager.DomainEvent;
import io.jvirt.manager.DomainState;
import io.jvirt.manager.VirtException;
import io.jvirt.manager.store.Store;
import io.jvirt.manager.xml.DomainDefaults;
import io.jvirt.manager.xml.DomainXml;
import io.jvirt.manager.xml.NetworkXml;
import io.jvirt.manager.xml.SnapshotXml;
import io.jvirt.manager.xml.XmlText;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.w3c.dom.Element;

/**
 * The real driver behind jvirt:///system and jvirt:///session, run inside the daemon: state in
 * the {@link Store}, one VMM process per running domain. Opening it loads the store, re-adopts
 * VMMs a previous daemon left running, and starts autostart domains that are not running.
 * Guest power-off and crashes follow the domain's on_poweroff / on_crash policy.
 */
public final class LocalDriver {

    private static final System.Logger LOG = System.getLogger(LocalDriver.class.getName());

    private LocalDriver() {
    }

    /** Opens the driver on {@code store}; {@code events} receives lifecycle events. */
    public static Connection open(String uri, Store store, List<String> vmmCommand, Consumer<DomainEvent> events)
            throws VirtException {
        store.init();
        VmmRuntime runtime = new VmmRuntime(store, vmmCommand == null ? VmmRuntime.defaultCommand() : vmmCommand);
        Impl d = new Impl(uri, store, runtime);
        d.events = events == null ? e -> { } : events;
        runtime.listener = d;
        runtime.networks = name -> d.listNetworks().stream().filter(n -> n.name().equals(name)).findFirst();
        d.networks.host = io.jvirt.net.NetworkHost.local(store.runDir().resolve("networks"));
        synchronized (d.lock) {
            d.load();
            d.loadNetworks();
        }
        d.networks.autostart(); // before the domains, which may need them
        d.autostart();
        return d;
    }

    static final class Impl extends Driver implements VmmRuntime.Listener {
        private final Store store;
        private final VmmRuntime vmm;
        private final java.util.concurrent.ExecutorService eventThread = java.util.concurrent.Executors
                .newSingleThreadExecutor(Thread.ofPlatform().daemon().name("jvirtd-vmm-events").factory());

        Impl(String uri, Store store, VmmRuntime runtime) {
            super(uri, DomainDefaults.JVIRT, runtime, new StorePersistence(store), new DirVolumes());
            this.store = store;
            this.vmm = runtime;
            snapshots.disks = new QcowSnapshots();
        }

        void load() throws VirtException {
            for (String name : store.list("domains", ".xml")) {
                try {
                    Dom d = new Dom();
                    d.persistent = parse(store.get("domains/" + name + ".xml").orElseThrow(), name + ".xml");
                    d.autostart = store.exists("domains/" + name + ".autostart");
                    loadSnapshots(name, d);
                    domains.put(name, d);
                } catch (VirtException e) {
                    LOG.log(System.Logger.Level.ERROR, "skipping stored domain '" + name + "': " + e.getMessage()
                            + "; fix or remove " + store.root().resolve("domains/" + name + ".xml"));
                }
            }
            java.util.Set<String> running = new java.util.TreeSet<>(store.list("run", ".json"));
            running.addAll(store.list("run", ".xml"));
            for (String name : running) {
                adopt(name);
            }
            for (String name : store.list("pools", ".xml")) {
                Element root = XmlText.parse(store.get("pools/" + name + ".xml").orElseThrow(), name).getDocumentElement();
                Pool p = new Pool(XmlText.childText(root, "name"), UUID.fromString(XmlText.childText(root, "uuid")),
                        XmlText.childText(XmlText.child(root, "target"), "path"));
                p.active = store.exists("pools/" + name + ".active");
                pools.add(p);
            }
        }

        /** Network definitions, then the live records of running ones (re-adopted, or cleaned up when gone). */
        void loadNetworks() throws VirtException {
            for (String name : store.list("networks", ".xml")) {
                try {
                    Networks.Net n = new Networks.Net();
                    n.persistent = NetworkXml.parse(store.get("networks/" + name + ".xml").orElseThrow(), name + ".xml");
                    n.autostart = store.exists("networks/" + name + ".autostart");
                    networks.nets.put(name, n);
                } catch (VirtException e) {
                    LOG.log(System.Logger.Level.ERROR, "skipping stored network '" + name + "': " + e.getMessage()
                            + "; fix or remove " + store.root().resolve("networks/" + name + ".xml"));
                }
            }
            for (String name : store.list("run/networks", ".xml")) {
                try {
                    networks.adopt(NetworkXml.parse(store.get("run/networks/" + name + ".xml").orElseThrow(), name + " (live)"));
                } catch (VirtException e) {
                    LOG.log(System.Logger.Level.ERROR, "skipping the live record of network '" + name + "': " + e.getMessage());
                }
            }
        }

        private void loadSnapshots(String name, Dom d) throws VirtException {
            for (String s : store.list("snapshots/" + name, ".xml")) {
                SnapshotXml.Parsed p = SnapshotXml.parse(store.get("snapshots/" + name + "/" + s + ".xml").orElseThrow(), defaults);
                d.snapshots.put(p.name(), new Dom.Snap(p.name(), p.parent(), p.creationTime(), p.state(), p.description(), p.domain()));
            }
            d.currentSnapshot = store.get("snapshots/" + name + "/current").map(String::strip)
                    .filter(d.snapshots::containsKey).orElse(null);
        }

        private void adopt(String name) throws VirtException {
            Optional<String> live = store.get("run/" + name + ".xml");
            Optional<VmmRuntime.Adopted> adopted = vmm.adopt(name);
            if (adopted.isEmpty() || live.isEmpty()) {
                LOG.log(System.Logger.Level.INFO, "domain '" + name + "' is no longer running");
                return;
            }
            Dom d = domains.get(name);
            if (d == null) {
                d = new Dom();
                domains.put(name, d);
            }
            int id = adopted.get().id();
            d.live = parse(live.get(), name + " (live)");
            d.id = id;
            d.state = adopted.get().status().equals("paused") ? DomainState.PAUSED : DomainState.RUNNING;
            d.reason = d.state == DomainState.PAUSED ? "user" : "booted";
            d.startedNanos = System.nanoTime();
            nextId = Math.max(nextId, id + 1);
            LOG.log(System.Logger.Level.INFO, "re-adopted running domain '" + name + "' (id " + id + ")");
        }

        /**
         * Starts the autostart domains that are not running, each on its own thread so that the
         * daemon serves its API meanwhile (a client's start of the same domain waits for the
         * domain's job lock and then finds it running).
         */
        void autostart() {
            List<String> names;
            synchronized (lock) {
                names = domains.entrySet().stream().filter(e -> e.getValue().autostart && !e.getValue().state.active())
                        .map(Map.Entry::getKey).toList();
            }
            for (String n : names) {
                Thread.ofVirtual().name("autostart-" + n).start(() -> {
                    try {
                        job(n, d -> {
                            if (d.autostart && !d.state.active() && d.persistent != null) {
                                launch(d, d.persistent, "booted");
                            }
                            return null;
                        });
                    } catch (VirtException e) {
                        LOG.log(System.Logger.Level.ERROR, "autostart of '" + n + "' failed: " + e.getMessage());
                    }
                });
            }
        }

        /** A VMM ended on its own (runs on a VMM-exit thread): apply the domain's lifecycle policy. */
        @Override
        public void exited(String name, int vmmId, String reason) {
            try {
                job(name, d -> {
                    DomainXml def;
                    int id;
                    synchronized (lock) {
                        if (!d.state.active() || d.live == null || !d.live.name().equals(name) || d.id != vmmId) {
                            return null;
                        }
                        def = d.live;
                        id = d.id;
                    }
                    // formatdomain "Events configuration": power-off, reboot and crash each have a policy.
                    String action = switch (reason) {
                        case "shutdown" -> def.onPoweroff();
                        case "rebooted", "reboot" -> def.onReboot();
                        default -> def.onCrash();
                    };
                    boolean restart = action.endsWith("restart");
                    if (restart && reason.equals("reboot")) {
                        // virsh reboot: the guest powered off as asked; boot it again, same id.
                        publish(name, "rebooted", "reset");
                        relaunch(d, def, name, reason, id);
                        return null;
                    }
                    synchronized (lock) {
                        stopped(d, reason.startsWith("reboot") ? "shutdown" : reason);
                        if (restart && !domains.containsValue(d)) {
                            domains.put(name, d);
                        }
                    }
                    if (restart) {
                        relaunch(d, d.persistent != null ? d.persistent : def, name, reason, -1);
                    }
                    return null;
                });
            } catch (VirtException e) {
                LOG.log(System.Logger.Level.DEBUG, "VMM of '" + name + "' exited (" + reason + "): " + e.getMessage());
            }
        }

        private void relaunch(Dom d, DomainXml def, String name, String reason, int id) {
            try {
                launch(d, def, "booted", id);
            } catch (VirtException e) {
                LOG.log(System.Logger.Level.ERROR, "restarting '" + name + "' after " + reason + " failed: " + e.getMessage());
                synchronized (lock) {
                    if (d.state.active()) {
                        stopped(d, "crashed");
                    } else if (d.persistent == null) {
                        domains.remove(name, d);
                    }
                }
            }
        }

        /**
         * A VMM event. It arrives on the control socket's reader thread, which must keep reading
         * replies while a caller holds the lock waiting for one, so the work is handed off.
         */
        @Override
        public void event(String name, Map<String, Object> ev) {
            String type = String.valueOf(ev.get("event"));
            boolean guest = ev.get("data") instanceof Map<?, ?> data && Boolean.TRUE.equals(data.get("guest"));
            if (!guest) {
                return; // host-initiated: the driver already published it when it asked
            }
            eventThread.execute(() -> {
                synchronized (lock) {
                    switch (type) {
                        case "RESET" -> publish(name, "rebooted", "reset");
                        case "SHUTDOWN" -> publish(name, "shutdown", "guest");
                        default -> {
                        }
                    }
                }
            });
        }
    }
}
