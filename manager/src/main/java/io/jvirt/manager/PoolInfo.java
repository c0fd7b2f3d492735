package io.jvirt.manager;

import java.util.UUID;

/** A storage pool (directory pools only): virsh pool-list's columns plus its target path. */
public record PoolInfo(String name, UUID uuid, String type, String path, boolean active,
                       boolean autostart, boolean persistent, long capacity, long allocation, long available) {
}
