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
class Driver extends NetworkConnection {

    final Map<String, Dom> domains = new LinkedHashMap<>();
    final String uri;
    final DomainDefaults defaults;
    final Runtime runtime;
    final Persistence persistence;
    final Snapshots snapshots;
    final Lifecycle lifecycle;
    int nextId = 1;
    /** Receives lifecycle events; called from driver and VMM threads, so it must not block. */
    java.util.function.Consumer<io.jvirt.manager.DomainEvent> events = e -> { };
    String securityModel;

    Driver(String uri, DomainDefaults defaults, Runtime runtime, Persistence persistence, Volumes volumes) {
        super(volumes, persistence);
        this.uri = uri;
        this.defaults = defaults;
        this.runtime = runtime;
        this.persistence = persistence;
        this.snapshots = new Snapshots(this);
        this.lifecycle = new Lifecycle(this);
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

    /** One step of a domain job: runs holding the domain's job lock, not the driver's lock. */
    interface Job<T> {
        T run(Dom d) throws VirtException;
    }

    /**
     * Runs {@code job} on the domain {@code key} names, holding that domain's job lock (libvirt's
     * domain job): jobs on one domain run one at a time, jobs on different domains and reads run
     * meanwhile, so a VMM that takes seconds to start holds up only its own domain. The driver's
     * lock is taken only for short steps; lock order: job lock, then driver lock.
     */
    <T> T job(String key, Job<T> job) throws VirtException {
        while (true) {
            Dom d;
            synchronized (lock) {
                d = find(key);
            }
            d.job.lock();
            try {
                synchronized (lock) {
                    if (!domains.containsValue(d)) {
                        continue; // undefined or replaced while we waited: look it up again
                    }
                }
                return job.run(d);
            } finally {
                d.job.unlock();
            }
        }
    }

    @Override
    public DomainInfo define(String xml, String source) throws VirtException {
        DomainXml def = parse(xml, source);
        while (true) {
            Dom d;
            synchronized (lock) {
                d = checkUnique(def);
                if (d == null) {
                    persistence.saveDomain(def.name(), def.toString());
                    d = new Dom();
                    d.persistent = def;
                    domains.put(def.name(), d);
                    publish(def.name(), "defined", "added");
                    return d.info();
                }
            }
            d.job.lock();
            try {
                synchronized (lock) {
                    if (domains.get(def.name()) != d) {
                        continue;
                    }
                    checkUnique(def);
                    persistence.saveDomain(def.name(), def.toString());
                    d.persistent = def;
                    publish(def.name(), "defined", "updated");
                    return d.info();
                }
            } finally {
                d.job.unlock();
            }
        }
    }

    @Override
    public DomainInfo create(String xml, String source) throws VirtException {
        DomainXml def = parse(xml, source);
        Dom fresh;
        synchronized (lock) {
            Dom d = checkUnique(def);
            if (d != null && d.state.active()) {
                throw VirtException.invalidOperation("domain '" + def.name() + "' is already active");
            }
            fresh = d == null ? new Dom() : null;
            if (fresh != null) {
                fresh.live = def; // listed as shut off until it runs
                fresh.job.lock(); // a new lock: nobody else can hold it
                domains.put(def.name(), fresh);
            }
        }
        if (fresh == null) {
            return job(def.name(), d -> {
                if (d.state.active()) {
                    throw VirtException.invalidOperation("domain '" + def.name() + "' is already active");
                }
                launch(d, def, "booted");
                return info(d);
            });
        }
        try {
            launch(fresh, def, "booted");
            synchronized (lock) {
                return info(fresh);
            }
        } catch (VirtException e) {
            synchronized (lock) {
                domains.remove(def.name(), fresh);
            }
            throw e;
        } finally {
            fresh.job.unlock();
        }
    }

    /** Starts the VM of {@code d}; the caller holds its job lock, not the driver's lock. */
    void launch(Dom d, DomainXml def, String reason) throws VirtException {
        launch(d, def, reason, -1);
    }

    /** As {@link #launch(Dom, DomainXml, String)}, keeping {@code id} when it is not -1 (a reboot). */
    void launch(Dom d, DomainXml def, String reason, int keepId) throws VirtException {
        int id;
        synchronized (lock) {
            id = keepId >= 0 ? keepId : nextId++;
        }
        DomainXml live = def.copy();
        runtime.launch(def.name(), id, live);
        synchronized (lock) {
            d.live = live;
            d.id = id;
            d.state = DomainState.RUNNING;
            d.reason = reason;
            d.startedNanos = System.nanoTime();
            d.cpuNanos = 0;
            if (keepId < 0) {
                publish(def.name(), "started", reason);
            }
        }
    }

    /** The VM stopped (destroyed, shut down, or its process exited); transient domains vanish. Driver lock held. */
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
        job(key, d -> {
            synchronized (lock) {
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
                return null;
            }
        });
    }

    // Runtime-facing operations: see Lifecycle.

    @Override
    public void start(String key) throws VirtException {
        lifecycle.start(key);
    }

    @Override
    public void shutdown(String key) throws VirtException {
        lifecycle.shutdown(key);
    }

    @Override
    public void destroy(String key) throws VirtException {
        lifecycle.destroy(key);
    }

    @Override
    public void reboot(String key) throws VirtException {
        lifecycle.reboot(key);
    }

    @Override
    public void reset(String key) throws VirtException {
        lifecycle.reset(key);
    }

    @Override
    public void suspend(String key) throws VirtException {
        lifecycle.suspend(key);
    }

    @Override
    public void resume(String key) throws VirtException {
        lifecycle.resume(key);
    }

    @Override
    public String consolePath(String key) throws VirtException {
        return lifecycle.consolePath(key);
    }

    @Override
    public io.jvirt.manager.ConsoleSession openConsole(String key) throws VirtException {
        return lifecycle.openConsole(key);
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
