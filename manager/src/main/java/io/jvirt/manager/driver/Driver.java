package io.jvirt.manager.driver;

import io.jvirt.manager.DomainInfo;
import io.jvirt.manager.DomainState;
import io.jvirt.manager.SnapshotInfo;
import io.jvirt.manager.VirtException;
import io.jvirt.manager.xml.DomainDefaults;
import io.jvirt.manager.xml.DomainXml;
import io.jvirt.manager.xml.SnapshotXml;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The domain state machine shared by test:///default and the daemon: libvirt's semantics for
 * define/start/shutdown/snapshots, with what runs guests ({@link Runtime}), where definitions
 * live ({@link Persistence}) and what holds volumes ({@link Pools}) plugged in. Every operation
 * checks first and changes state last, so a failure leaves nothing changed.
 */
class Driver extends StorageConnection {

    final Map<String, Dom> domains = new LinkedHashMap<>();
    final String uri;
    final DomainDefaults defaults;
    final Runtime runtime;
    final Persistence persistence;
    final Snapshots snapshots;
    int nextId = 1;
    /** Receives lifecycle events; called with the lock held, so it must not block. */
    java.util.function.Consumer<io.jvirt.manager.DomainEvent> events = e -> { };
    String securityModel;
    List<io.jvirt.manager.NetworkInfo> networks = List.of();

    Driver(String uri, DomainDefaults defaults, Runtime runtime, Persistence persistence, Volumes volumes) {
        super(volumes, persistence);
        this.uri = uri;
        this.defaults = defaults;
        this.runtime = runtime;
        this.persistence = persistence;
        this.snapshots = new Snapshots(this);
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public void close() {
    }

    private final List<java.util.function.Consumer<io.jvirt.manager.DomainEvent>> listeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    void publish(String domain, String type, String detail) {
        io.jvirt.manager.DomainEvent e = new io.jvirt.manager.DomainEvent(System.currentTimeMillis(), domain, type, detail);
        events.accept(e);
        listeners.forEach(l -> l.accept(e));
    }

    @Override
    public AutoCloseable subscribe(java.util.function.Consumer<io.jvirt.manager.DomainEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public List<io.jvirt.manager.NetworkInfo> listNetworks() {
        return networks;
    }

    @Override
    public String securityModel() {
        return securityModel;
    }

    Dom find(String key) throws VirtException {
        Dom d = domains.get(key);
        if (d != null) {
            return d;
        }
        for (Dom x : domains.values()) {
            if (x.def().uuid().toString().equalsIgnoreCase(key)
                    || (x.state.active() && Integer.toString(x.id).equals(key))) {
                return x;
            }
        }
        throw new VirtException(VirtException.Code.NO_DOMAIN,
                "Domain not found: no domain with matching name '" + key + "'");
    }

    @Override
    public List<DomainInfo> listDomains() {
        synchronized (lock) {
            List<DomainInfo> all = new ArrayList<>();
            domains.values().forEach(d -> all.add(info(d)));
            return all;
        }
    }

    @Override
    public DomainInfo domain(String key) throws VirtException {
        synchronized (lock) {
            return info(find(key));
        }
    }

    DomainInfo info(Dom d) {
        return d.info(d.state.active() ? runtime.cpuNanos(d.name()) : -1);
    }

    DomainXml parse(String xml, String source) throws VirtException {
        DomainXml def = DomainXml.parse(xml, source, defaults);
        if (defaults == DomainDefaults.TEST) {
            def.nameInterfaceTargets("testnet");
        }
        return def;
    }

    /** libvirt's virDomainObjListAdd checks: same UUID with another name, same name with another UUID. */
    private Dom checkUnique(DomainXml def) throws VirtException {
        for (Dom d : domains.values()) {
            boolean sameUuid = d.def().uuid().equals(def.uuid());
            boolean sameName = d.name().equals(def.name());
            if (sameUuid && !sameName) {
                throw VirtException.failed("domain '" + d.name() + "' is already defined with uuid " + def.uuid());
            }
            if (sameName && !sameUuid) {
                throw VirtException.failed("domain '" + d.name() + "' already exists with uuid " + d.def().uuid());
            }
            if (sameName) {
                return d;
            }
        }
        return null;
    }

    @Override
    public DomainInfo define(String xml, String source) throws VirtException {
        synchronized (lock) {
            DomainXml def = parse(xml, source);
            Dom d = checkUnique(def);
            persistence.saveDomain(def.name(), def.toString());
            if (d == null) {
                d = new Dom();
                domains.put(def.name(), d);
            }
            d.persistent = def;
            publish(def.name(), "defined", "added");
            return d.info();
        }
    }

    @Override
    public DomainInfo create(String xml, String source) throws VirtException {
        synchronized (lock) {
            DomainXml def = parse(xml, source);
            Dom d = checkUnique(def);
            if (d != null && d.state.active()) {
                throw VirtException.invalidOperation("domain '" + def.name() + "' is already active");
            }
            boolean added = d == null;
            if (added) {
                d = new Dom();
                domains.put(def.name(), d);
            }
            try {
                launch(d, def, "booted");
            } catch (VirtException e) {
                if (added) {
                    domains.remove(def.name());
                }
                throw e;
            }
            return d.info();
        }
    }

    void launch(Dom d, DomainXml def, String reason) throws VirtException {
        int id = nextId;
        runtime.launch(def.name(), id, def);
        nextId++;
        d.live = def.copy();
        d.id = id;
        d.state = DomainState.RUNNING;
        d.reason = reason;
        d.startedNanos = System.nanoTime();
        d.cpuNanos = 0;
        publish(def.name(), "started", reason);
    }

    /** The VM stopped (destroyed, shut down, or its process exited); transient domains vanish. */
    void stopped(Dom d, String reason) {
        publish(d.name(), "stopped", reason);
        d.state = DomainState.SHUTOFF;
        d.reason = reason;
        d.id = -1;
        d.live = null;
        if (d.persistent == null) {
            domains.values().remove(d);
        }
    }

    @Override
    public void undefine(String key) throws VirtException {
        synchronized (lock) {
            Dom d = find(key);
            if (d.persistent == null) {
                throw VirtException.invalidOperation("cannot undefine transient domain");
            }
            if (!d.state.active() && !d.snapshots.isEmpty()) {
                throw VirtException.invalidOperation("cannot delete inactive domain with "
                        + d.snapshots.size() + " snapshots");
            }
            persistence.deleteDomain(d.name());
            publish(d.name(), "undefined", "removed");
            if (d.state.active()) {
                d.persistent = null;
                d.autostart = false;
            } else {
                domains.values().remove(d);
            }
        }
    }

    @Override
    public void start(String key) throws VirtException {
        synchronized (lock) {
            Dom d = find(key);
            if (d.state.active()) {
                throw VirtException.invalidOperation("domain is already running");
            }
            launch(d, d.persistent, "booted");
        }
    }

    Dom running(String key) throws VirtException {
        Dom d = find(key);
        if (!d.state.active()) {
            throw VirtException.invalidOperation("domain is not running");
        }
        return d;
    }

    @Override
    public void shutdown(String key) throws VirtException {
        synchronized (lock) {
            Dom d = find(key);
            if (!d.state.active()) {
                throw VirtException.internal("domain '" + d.name() + "' not running");
            }
            publish(d.name(), "shutdown", "host");
            if (runtime.powerdown(d.name())) {
                stopped(d, "shutdown");
            }
        }
    }

    @Override
    public void destroy(String key) throws VirtException {
        synchronized (lock) {
            Dom d = running(key);
            runtime.kill(d.name());
            stopped(d, "destroyed");
        }
    }

    @Override
    public void reboot(String key) throws VirtException {
        synchronized (lock) {
            Dom d = running(key);
            if (runtime.reboot(d.name())) {
                d.state = DomainState.RUNNING;
                d.reason = "booted";
            }
        }
    }

    @Override
    public void reset(String key) throws VirtException {
        synchronized (lock) {
            Dom d = running(key);
            runtime.reset(d.name());
            d.state = DomainState.RUNNING;
            d.reason = "booted";
        }
    }

    @Override
    public void suspend(String key) throws VirtException {
        synchronized (lock) {
            Dom d = find(key);
            if (!d.state.active()) {
                throw VirtException.internal("domain '" + d.name() + "' not running");
            }
            runtime.pause(d.name());
            if (d.state == DomainState.RUNNING) {
                d.cpuNanos += System.nanoTime() - d.startedNanos;
            }
            d.state = DomainState.PAUSED;
            d.reason = "user";
            publish(d.name(), "suspended", "paused");
        }
    }

    @Override
    public void resume(String key) throws VirtException {
        synchronized (lock) {
            Dom d = find(key);
            if (d.state != DomainState.PAUSED) {
                throw VirtException.internal("domain '" + d.name() + "' not paused");
            }
            runtime.resume(d.name());
            d.state = DomainState.RUNNING;
            d.reason = "unpaused";
            publish(d.name(), "resumed", "unpaused");
            d.startedNanos = System.nanoTime();
        }
    }

    @Override
    public String dumpXml(String key, boolean inactive) throws VirtException {
        synchronized (lock) {
            Dom d = find(key);
            if (inactive && d.persistent != null) {
                return d.persistent.format(-1);
            }
            return d.def().format(d.state.active() ? d.id : -1);
        }
    }

    @Override
    public void setAutostart(String key, boolean on) throws VirtException {
        synchronized (lock) {
            Dom d = find(key);
            if (d.persistent == null) {
                throw VirtException.invalidOperation("cannot set autostart for transient domain");
            }
            persistence.saveAutostart(d.name(), on);
            d.autostart = on;
        }
    }

    @Override
    public String consolePath(String key) throws VirtException {
        synchronized (lock) {
            Dom d = find(key);
            if (!d.state.active()) {
                throw VirtException.invalidOperation("The domain is not running");
            }
            return runtime.console(d.name());
        }
    }

    // Snapshots: see Snapshots.

    @Override
    public SnapshotInfo createSnapshot(String domain, String name, String description) throws VirtException {
        return snapshots.create(domain, name, description);
    }

    @Override
    public List<SnapshotInfo> listSnapshots(String domain) throws VirtException {
        synchronized (lock) {
            Dom d = find(domain);
            return d.snapshots.values().stream().map(s -> snapshots.info(d, s))
                    .sorted(Comparator.comparing(SnapshotInfo::name)).toList();
        }
    }

    @Override
    public Optional<SnapshotInfo> currentSnapshot(String domain) throws VirtException {
        synchronized (lock) {
            Dom d = find(domain);
            return Optional.ofNullable(d.currentSnapshot).map(n -> snapshots.info(d, d.snapshots.get(n)));
        }
    }

    @Override
    public String snapshotXml(String domain, String snapshot) throws VirtException {
        synchronized (lock) {
            Dom d = find(domain);
            Dom.Snap s = snapshots.get(d, snapshot);
            return SnapshotXml.format(snapshots.info(d, s), s.domain());
        }
    }

    @Override
    public void revertSnapshot(String domain, String snapshot) throws VirtException {
        snapshots.revert(domain, snapshot);
    }

    @Override
    public void deleteSnapshot(String domain, String snapshot) throws VirtException {
        snapshots.delete(domain, snapshot);
    }
}
