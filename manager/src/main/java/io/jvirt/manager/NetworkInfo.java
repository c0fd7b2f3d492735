package io.jvirt.manager;

import java.util.UUID;

/** A virtual network as virsh net-list/net-info show it; {@code xml} is its formatnetwork document. */
public record NetworkInfo(String name, UUID uuid, boolean active, boolean persistent, boolean autostart,
                          String bridge, String xml) {
}
