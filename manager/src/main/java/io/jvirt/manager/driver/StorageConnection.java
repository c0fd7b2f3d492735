package io.jvirt.manager.driver;

import io.jvirt.manager.Connection;
import io.jvirt.manager.PoolInfo;
import io.jvirt.manager.VirtException;
import io.jvirt.manager.VolumeInfo;
import java.util.List;

/** The storage half of a driver's {@link Connection}: pool and volume calls go to {@link Pools}. */
abstract class StorageConnection implements Connection {

    final Object lock = new Object();
    final Pools pools;

    StorageConnection(Volumes volumes, Persistence persistence) {
        this.pools = new Pools(lock, volumes, persistence);
    }

    @Override
    public List<PoolInfo> listPools() throws VirtException {
        return pools.list();
    }

    @Override
    public PoolInfo pool(String name) throws VirtException {
        return pools.info(name);
    }

    @Override
    public void definePool(String name, String type, String targetPath) throws VirtException {
        pools.define(name, type, targetPath);
    }

    @Override
    public void buildPool(String name) throws VirtException {
        pools.build(name);
    }

    @Override
    public void startPool(String name) throws VirtException {
        pools.start(name);
    }

    @Override
    public void destroyPool(String name) throws VirtException {
        pools.destroy(name);
    }

    @Override
    public void undefinePool(String name) throws VirtException {
        pools.undefine(name);
    }

    @Override
    public List<VolumeInfo> listVolumes(String pool) throws VirtException {
        return pools.volumes(pool);
    }

    @Override
    public VolumeInfo volume(String pool, String name) throws VirtException {
        return pools.volume(pool, name);
    }

    @Override
    public VolumeInfo createVolume(String pool, String name, long capacity, String format) throws VirtException {
        return pools.createVolume(pool, name, capacity, format);
    }

    @Override
    public void deleteVolume(String pool, String name) throws VirtException {
        pools.deleteVolume(pool, name);
    }

    @Override
    public VolumeInfo cloneVolume(String pool, String source, String name) throws VirtException {
        return pools.cloneVolume(pool, source, name);
    }

    @Override
    public void resizeVolume(String pool, String name, long capacity, boolean shrink) throws VirtException {
        pools.resizeVolume(pool, name, capacity, shrink);
    }
}
