package io.jvirt.manager.driver;

import io.jvirt.manager.PoolInfo;
import io.jvirt.manager.VirtException;
import io.jvirt.manager.VolumeInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/** Directory storage pools and their volumes (libvirt's storage driver, type='dir' only). */
final class Pools {

    private static final Set<String> FORMATS = Set.of("raw", "qcow2");

    final Object lock;
    final TreeMap<String, Pool> pools = new TreeMap<>();
    final Volumes volumes;
    final Persistence persistence;

    Pools(Object lock, Volumes volumes, Persistence persistence) {
        this.lock = lock;
        this.volumes = volumes;
        this.persistence = persistence;
    }

    Pool find(String name) throws VirtException {
        Pool p = pools.get(name);
        if (p == null) {
            for (Pool x : pools.values()) {
                if (x.uuid.toString().equalsIgnoreCase(name)) {
                    return x;
                }
            }
            throw new VirtException(VirtException.Code.NO_POOL,
                    "Storage pool not found: no storage pool with matching name '" + name + "'");
        }
        return p;
    }

    private Pool active(String name) throws VirtException {
        Pool p = find(name);
        if (!p.active) {
            throw VirtException.invalidOperation("storage pool '" + name + "' is not active");
        }
        return p;
    }

    List<PoolInfo> list() throws VirtException {
        synchronized (lock) {
            List<PoolInfo> out = new ArrayList<>();
            for (Pool p : pools.values()) {
                out.add(info(p));
            }
            return out;
        }
    }

    private PoolInfo info(Pool p) throws VirtException {
        long[] u = p.active ? volumes.usage(p) : new long[3];
        return p.info(u[0], u[1], u[2]);
    }

    PoolInfo info(String name) throws VirtException {
        synchronized (lock) {
            return info(find(name));
        }
    }

    void define(String name, String type, String path) throws VirtException {
        synchronized (lock) {
            io.jvirt.manager.Names.check("pool", name);
            if (!"dir".equals(type)) {
                throw VirtException.unsupported("pool type '" + type + "' is not supported; jvirt has type 'dir' pools");
            }
            Pool existing = pools.get(name);
            if (existing != null) {
                throw VirtException.failed("pool '" + name + "' already exists with uuid " + existing.uuid);
            }
            if (path == null || !path.startsWith("/")) {
                throw VirtException.invalidArg("pool '" + name + "' needs an absolute --target path, not '" + path + "'");
            }
            Pool p = new Pool(name, UUID.randomUUID(), path);
            persistence.savePool(name, p.xml());
            pools.put(name, p);
        }
    }

    void add(Pool p) {
        pools.put(p.name, p);
    }

    void build(String name) throws VirtException {
        synchronized (lock) {
            volumes.build(find(name));
        }
    }

    void start(String name) throws VirtException {
        synchronized (lock) {
            Pool p = find(name);
            if (p.active) {
                throw VirtException.invalidOperation("storage pool '" + name + "' is already active");
            }
            volumes.usage(p);
            persistence.savePoolActive(name, true);
            p.active = true;
        }
    }

    void destroy(String name) throws VirtException {
        synchronized (lock) {
            Pool p = active(name);
            persistence.savePoolActive(name, false);
            p.active = false;
        }
    }

    void undefine(String name) throws VirtException {
        synchronized (lock) {
            Pool p = find(name);
            if (p.active) {
                throw VirtException.invalidOperation("storage pool '" + name + "' is active");
            }
            persistence.savePool(name, null);
            pools.remove(name);
        }
    }

    List<VolumeInfo> volumes(String pool) throws VirtException {
        synchronized (lock) {
            Pool p = find(pool);
            if (!p.active) {
                throw VirtException.invalidOperation("storage pool is not active");
            }
            return volumes.list(p);
        }
    }

    VolumeInfo volume(String pool, String name) throws VirtException {
        synchronized (lock) {
            for (VolumeInfo v : volumes(pool)) {
                if (v.name().equals(name) || v.path().equals(name)) {
                    return v;
                }
            }
            throw new VirtException(VirtException.Code.NO_VOLUME,
                    "Storage volume not found: no storage vol with matching path '" + name + "'");
        }
    }

    private void checkNew(Pool p, String name) throws VirtException {
        io.jvirt.manager.Names.check("volume", name);
        for (VolumeInfo v : volumes.list(p)) {
            if (v.name().equals(name)) {
                throw VirtException.failed("storage vol already exists");
            }
        }
    }

    VolumeInfo createVolume(String pool, String name, long capacity, String format) throws VirtException {
        synchronized (lock) {
            Pool p = active(pool);
            String fmt = format == null ? "raw" : format;
            if (!FORMATS.contains(fmt)) {
                throw VirtException.unsupported("volume format '" + fmt + "' is not supported; use raw or qcow2");
            }
            checkNew(p, name);
            return volumes.create(p, name, capacity, fmt);
        }
    }

    void deleteVolume(String pool, String name) throws VirtException {
        synchronized (lock) {
            VolumeInfo v = volume(pool, name);
            volumes.delete(find(pool), v);
        }
    }

    VolumeInfo cloneVolume(String pool, String source, String name) throws VirtException {
        synchronized (lock) {
            VolumeInfo v = volume(pool, source);
            Pool p = find(pool);
            checkNew(p, name);
            return volumes.copy(p, v, name);
        }
    }

    void resizeVolume(String pool, String name, long capacity, boolean shrink) throws VirtException {
        synchronized (lock) {
            VolumeInfo v = volume(pool, name);
            volumes.resize(find(pool), v, capacity, shrink);
        }
    }
}
