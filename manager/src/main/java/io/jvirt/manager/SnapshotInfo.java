package io.jvirt.manager;

/** One snapshot: name, parent (null for a root), creation time (epoch seconds), recorded domain state. */
public record SnapshotInfo(String name, String parent, long creationTime, DomainState state,
                           String description, boolean current) {
}
