package io.jvirt.manager.driver;

import io.jvirt.manager.DomainState;
import io.jvirt.manager.SnapshotInfo;
import io.jvirt.manager.VirtException;
import io.jvirt.manager.xml.SnapshotXml;
import java.util.ArrayList;
import java.util.List;

/**
 * Snapshot trees (formatsnapshot): each snapshot records the domain definition and state; the
 * newest or last reverted one is "current" and becomes the parent of the next. Disk contents
 * are the {@link DiskSnapshots}' business (qcow2 internal snapshots for the daemon).
 */
final class Snapshots {

    private final Driver driver;
    DiskSnapshots disks = DiskSnapshots.NONE;

    Snapshots(Driver driver) {
        this.driver = driver;
    }

    Dom.Snap get(Dom d, String name) throws VirtException {
        Dom.Snap s = d.snapshots.get(name);
        if (s == null) {
            throw new VirtException(VirtException.Code.NO_SNAPSHOT,
                    "Domain snapshot not found: no domain snapshot with matching name '" + name + "'");
        }
        return s;
    }

    SnapshotInfo info(Dom d, Dom.Snap s) {
        return new SnapshotInfo(s.name(), s.parent(), s.creationTime(), s.state(), s.description(),
                s.name().equals(d.currentSnapshot));
    }

    SnapshotInfo create(String domain, String name, String description) throws VirtException {
        return driver.job(domain, d -> {
            Dom.Snap s;
            synchronized (driver.lock) {
                long now = System.currentTimeMillis() / 1000;
                String n = name == null ? Long.toString(now) : name;
                if (d.snapshots.containsKey(n)) {
                    throw VirtException.failed("domain moment " + n + " already exists");
                }
                io.jvirt.manager.Names.check("snapshot", n);
                s = new Dom.Snap(n, d.currentSnapshot, now, d.state, description, d.def().copy());
            }
            // Disks first, metadata last: a daemon killed in between leaves an internal snapshot
            // no metadata names, which the next create of that name replaces.
            disks.create(d, s);
            synchronized (driver.lock) {
                try {
                    driver.persistence.saveSnapshot(d.name(), s.name(), SnapshotXml.format(info(d, s), s.domain()));
                    driver.persistence.saveCurrentSnapshot(d.name(), s.name());
                } catch (VirtException e) {
                    disks.delete(d, s);
                    throw e;
                }
                d.snapshots.put(s.name(), s);
                d.currentSnapshot = s.name();
                return info(d, s);
            }
        });
    }

    void revert(String domain, String name) throws VirtException {
        driver.job(domain, d -> {
            Dom.Snap s;
            synchronized (driver.lock) {
                s = get(d, name);
            }
            disks.checkRevert(d, s);
            if (d.state.active()) {
                driver.runtime.kill(d.name());
                synchronized (driver.lock) {
                    driver.stopped(d, "from snapshot");
                }
            }
            disks.revert(d, s);
            synchronized (driver.lock) {
                if (d.persistent != null) {
                    d.persistent = s.domain().copy();
                    driver.persistence.saveDomain(d.name(), d.persistent.toString());
                }
                driver.persistence.saveCurrentSnapshot(d.name(), name);
                d.currentSnapshot = name;
                d.reason = "from snapshot";
            }
            if (s.state().active()) {
                driver.launch(d, s.domain(), "from snapshot");
                if (s.state() == DomainState.PAUSED) {
                    driver.runtime.pause(d.name());
                    synchronized (driver.lock) {
                        d.state = DomainState.PAUSED;
                    }
                }
            }
            return null;
        });
    }

    /**
     * Metadata first (children re-parented, then the current pointer, then the snapshot's own
     * file), disks last: a daemon killed part way leaves a valid tree, at worst with an internal
     * snapshot in the images that no metadata names.
     */
    void delete(String domain, String name) throws VirtException {
        driver.job(domain, d -> {
            Dom.Snap s;
            synchronized (driver.lock) {
                s = get(d, name);
            }
            disks.checkDelete(d, s);
            synchronized (driver.lock) {
                List<Dom.Snap> reparent = new ArrayList<>();
                for (Dom.Snap c : d.snapshots.values()) {
                    if (name.equals(c.parent())) {
                        reparent.add(c.withParent(s.parent()));
                    }
                }
                for (Dom.Snap c : reparent) {
                    driver.persistence.saveSnapshot(d.name(), c.name(), SnapshotXml.format(info(d, c), c.domain()));
                }
                if (name.equals(d.currentSnapshot)) {
                    driver.persistence.saveCurrentSnapshot(d.name(), s.parent());
                    d.currentSnapshot = s.parent();
                }
                driver.persistence.saveSnapshot(d.name(), name, null);
                d.snapshots.remove(name);
                reparent.forEach(c -> d.snapshots.put(c.name(), c));
            }
            disks.delete(d, s);
            return null;
        });
    }
}
