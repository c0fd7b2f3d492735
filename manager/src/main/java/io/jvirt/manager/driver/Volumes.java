package io.jvirt.manager.driver;

import io.jvirt.manager.VirtException;
import io.jvirt.manager.VolumeInfo;
import java.util.List;

/** Where a directory pool's volumes are: in memory (test:///default) or files on disk. */
interface Volumes {

    void build(Pool p) throws VirtException;

    List<VolumeInfo> list(Pool p) throws VirtException;

    VolumeInfo create(Pool p, String name, long capacity, String format) throws VirtException;

    void delete(Pool p, VolumeInfo v) throws VirtException;

    VolumeInfo copy(Pool p, VolumeInfo source, String name) throws VirtException;

    void resize(Pool p, VolumeInfo v, long capacity, boolean shrink) throws VirtException;

    /** Capacity, allocation, available bytes of the pool. */
    long[] usage(Pool p) throws VirtException;
}
