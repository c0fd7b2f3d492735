package io.jvirt.manager.driver;

import io.jvirt.manager.VirtException;
import io.jvirt.manager.VolumeInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** test:///default's volumes: records in memory, fully allocated, 100 GiB per pool, no resize. */
final class MemoryVolumes implements Volumes {

    // libvirt's test driver reports every pool as 100 GiB free (testStoragePoolObjSetDefaults).
    static final long TEST_POOL_CAPACITY = 100L << 30;

    private final Map<String, TreeMap<String, VolumeInfo>> byPool = new HashMap<>();

    private TreeMap<String, VolumeInfo> of(Pool p) {
        return byPool.computeIfAbsent(p.name, k -> new TreeMap<>());
    }

    @Override
    public void build(Pool p) {
    }

    @Override
    public List<VolumeInfo> list(Pool p) {
        return new ArrayList<>(of(p).values());
    }

    @Override
    public VolumeInfo create(Pool p, String name, long capacity, String format) {
        VolumeInfo v = new VolumeInfo(name, p.path + "/" + name, format, capacity, capacity);
        of(p).put(name, v);
        return v;
    }

    @Override
    public void delete(Pool p, VolumeInfo v) {
        of(p).remove(v.name());
    }

    @Override
    public VolumeInfo copy(Pool p, VolumeInfo source, String name) {
        return create(p, name, source.capacity(), source.format());
    }

    @Override
    public void resize(Pool p, VolumeInfo v, long capacity, boolean shrink) throws VirtException {
        throw new VirtException(VirtException.Code.UNSUPPORTED,
                "this function is not supported by the connection driver: virStorageVolResize");
    }

    @Override
    public long[] usage(Pool p) {
        return new long[] {TEST_POOL_CAPACITY, 0, TEST_POOL_CAPACITY};
    }
}
