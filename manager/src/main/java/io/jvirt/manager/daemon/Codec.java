package io.jvirt.manager.daemon;

import io.jvirt.manager.DomainEvent;
import io.jvirt.manager.DomainInfo;
import io.jvirt.manager.DomainState;
import io.jvirt.manager.PoolInfo;
import io.jvirt.manager.SnapshotInfo;
import io.jvirt.manager.VolumeInfo;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** The API's JSON shapes for the manager's records (field names are the record components). */
final class Codec {

    private Codec() {
    }

    static Map<String, Object> domain(DomainInfo d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id());
        m.put("name", d.name());
        m.put("uuid", d.uuid().toString());
        m.put("state", d.state().name());
        m.put("reason", d.reason());
        m.put("vcpus", d.vcpus());
        m.put("maxMemoryKiB", d.maxMemoryKiB());
        m.put("memoryKiB", d.memoryKiB());
        m.put("osType", d.osType());
        m.put("persistent", d.persistent());
        m.put("autostart", d.autostart());
        m.put("cpuTimeNanos", d.cpuTimeNanos());
        m.put("snapshots", d.snapshots());
        return m;
    }

    static DomainInfo domain(Map<?, ?> m) {
        return new DomainInfo(i(m, "id"), s(m, "name"), UUID.fromString(s(m, "uuid")),
                DomainState.valueOf(s(m, "state")), s(m, "reason"), i(m, "vcpus"), l(m, "maxMemoryKiB"),
                l(m, "memoryKiB"), s(m, "osType"), b(m, "persistent"), b(m, "autostart"), l(m, "cpuTimeNanos"),
                i(m, "snapshots"));
    }

    static Map<String, Object> snapshot(SnapshotInfo s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("parent", s.parent());
        m.put("creationTime", s.creationTime());
        m.put("state", s.state().name());
        m.put("description", s.description());
        m.put("current", s.current());
        return m;
    }

    static SnapshotInfo snapshot(Map<?, ?> m) {
        return new SnapshotInfo(s(m, "name"), s(m, "parent"), l(m, "creationTime"), DomainState.valueOf(s(m, "state")),
                s(m, "description"), b(m, "current"));
    }

    static Map<String, Object> pool(PoolInfo p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", p.name());
        m.put("uuid", p.uuid().toString());
        m.put("type", p.type());
        m.put("path", p.path());
        m.put("active", p.active());
        m.put("autostart", p.autostart());
        m.put("persistent", p.persistent());
        m.put("capacity", p.capacity());
        m.put("allocation", p.allocation());
        m.put("available", p.available());
        return m;
    }

    static PoolInfo pool(Map<?, ?> m) {
        return new PoolInfo(s(m, "name"), UUID.fromString(s(m, "uuid")), s(m, "type"), s(m, "path"), b(m, "active"),
                b(m, "autostart"), b(m, "persistent"), l(m, "capacity"), l(m, "allocation"), l(m, "available"));
    }

    static Map<String, Object> volume(VolumeInfo v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", v.name());
        m.put("path", v.path());
        m.put("format", v.format());
        m.put("capacity", v.capacity());
        m.put("allocation", v.allocation());
        return m;
    }

    static VolumeInfo volume(Map<?, ?> m) {
        return new VolumeInfo(s(m, "name"), s(m, "path"), s(m, "format"), l(m, "capacity"), l(m, "allocation"));
    }

    static Map<String, Object> network(io.jvirt.manager.NetworkInfo n) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", n.name());
        m.put("uuid", n.uuid().toString());
        m.put("active", n.active());
        m.put("persistent", n.persistent());
        m.put("autostart", n.autostart());
        m.put("bridge", n.bridge());
        m.put("xml", n.xml());
        return m;
    }

    static io.jvirt.manager.NetworkInfo network(Map<?, ?> m) {
        return new io.jvirt.manager.NetworkInfo(s(m, "name"), UUID.fromString(s(m, "uuid")), b(m, "active"),
                b(m, "persistent"), b(m, "autostart"), s(m, "bridge"), s(m, "xml"));
    }

    static Map<String, Object> lease(io.jvirt.manager.NetworkLease l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("expiry", l.expiry());
        m.put("mac", l.mac());
        m.put("ip", l.ip());
        m.put("prefix", l.prefix());
        m.put("hostname", l.hostname());
        m.put("clientId", l.clientId());
        return m;
    }

    static io.jvirt.manager.NetworkLease lease(Map<?, ?> m) {
        return new io.jvirt.manager.NetworkLease(l(m, "expiry"), s(m, "mac"), s(m, "ip"), i(m, "prefix"),
                s(m, "hostname"), s(m, "clientId"));
    }

    static Map<String, Object> event(DomainEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", e.timeMillis());
        m.put("domain", e.domain());
        m.put("event", e.type());
        m.put("detail", e.detail());
        return m;
    }

    static String s(Map<?, ?> m, String k) {
        Object v = m.get(k);
        return v == null ? null : v.toString();
    }

    static long l(Map<?, ?> m, String k) {
        return m.get(k) instanceof Number n ? n.longValue() : 0;
    }

    static int i(Map<?, ?> m, String k) {
        return (int) l(m, k);
    }

    static boolean b(Map<?, ?> m, String k) {
        return Boolean.TRUE.equals(m.get(k));
    }
}
