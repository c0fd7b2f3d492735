package io.jvirt.manager.driver;

import io.jvirt.manager.VirtException;

/** Disk-level snapshot work behind a domain snapshot: none for test:///default, qcow2 internal snapshots for jvirt:///. */
interface DiskSnapshots {

    void create(Dom d, Dom.Snap s) throws VirtException;

    void revert(Dom d, Dom.Snap s) throws VirtException;

    /** Deletes the disks' part; runs after the metadata is gone, so it tolerates a part already missing. */
    void delete(Dom d, Dom.Snap s) throws VirtException;

    /** Refuses a delete before anything is touched. */
    default void checkDelete(Dom d, Dom.Snap s) throws VirtException {
    }

    /** Refuses a revert before anything is touched (the domain may still be running). */
    default void checkRevert(Dom d, Dom.Snap s) throws VirtException {
    }

    DiskSnapshots NONE = new DiskSnapshots() {
        @Override public void create(Dom d, Dom.Snap s) { }
        @Override public void revert(Dom d, Dom.Snap s) { }
        @Override public void delete(Dom d, Dom.Snap s) { }
    };
}
