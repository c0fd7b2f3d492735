package io.jvirt.manager.driver;

import io.jvirt.manager.DomainInfo;
import io.jvirt.manager.DomainState;
import io.jvirt.manager.xml.DomainXml;
import java.util.TreeMap;

/**
 * One domain's mutable state inside a driver; fields are guarded by the driver's lock, and
 * {@link #job} serializes the operations on this domain (see {@link Driver#job}).
 */
final class Dom {
    final java.util.concurrent.locks.ReentrantLock job = new java.util.concurrent.locks.ReentrantLock();
    /** The persistent definition, or null for a transient domain. */
    DomainXml persistent;
    /** The definition the running VM was started from, or null while inactive. */
    DomainXml live;
    DomainState state = DomainState.SHUTOFF;
    String reason = "unknown";
    int id = -1;
    boolean autostart;
    long startedNanos;
    long cpuNanos;
    final TreeMap<String, Snap> snapshots = new TreeMap<>();
    String currentSnapshot;

    DomainXml def() {
        return live != null ? live : persistent;
    }

    String name() {
        return def().name();
    }

    DomainInfo info() {
        return info(-1);
    }

    /** {@code measured} is the runtime's CPU time, or -1 to estimate it from running time. */
    DomainInfo info(long measured) {
        DomainXml d = def();
        long cpu = measured >= 0 ? measured
                : cpuNanos + (state == DomainState.RUNNING ? System.nanoTime() - startedNanos : 0);
        return new DomainInfo(state.active() ? id : -1, d.name(), d.uuid(), state, reason, d.vcpus(),
                d.memoryKiB(), d.currentMemoryKiB(), "linux", persistent != null, autostart,
                state.active() ? cpu : 0, snapshots.size());
    }

    /** A snapshot: the definition at the time and the domain state it recorded. */
    record Snap(String name, String parent, long creationTime, DomainState state, String description,
                DomainXml domain) {
        Snap withParent(String p) {
            return new Snap(name, p, creationTime, state, description, domain);
        }
    }
}
