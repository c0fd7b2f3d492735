package io.jvirt.manager;

import java.util.UUID;

/**
 * What virsh's list/dominfo/domstate show about one domain. {@code id} is -1 when inactive;
 * {@code reason} is libvirt's state-reason word ("booted", "user", "destroyed", ...).
 */
public record DomainInfo(int id, String name, UUID uuid, DomainState state, String reason,
                         int vcpus, long maxMemoryKiB, long memoryKiB, String osType,
                         boolean persistent, boolean autostart, long cpuTimeNanos, int snapshots) {
}
