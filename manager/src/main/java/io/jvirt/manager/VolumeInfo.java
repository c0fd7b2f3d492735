package io.jvirt.manager;

/** A volume in a directory pool: a file, raw or qcow2. Sizes in bytes. */
public record VolumeInfo(String name, String path, String format, long capacity, long allocation) {
}
