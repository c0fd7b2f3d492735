package io.jvirt.manager.driver;

import io.jvirt.manager.VirtException;

/** Where a driver's definitions live: nowhere for test:///default, the {@code Store} for jvirt:///. */
interface Persistence {

    void saveDomain(String name, String xml) throws VirtException;

    void deleteDomain(String name) throws VirtException;

    void saveAutostart(String name, boolean on) throws VirtException;

    /** Stores a snapshot document; a null document deletes it. */
    void saveSnapshot(String domain, String snapshot, String xml) throws VirtException;

    void saveCurrentSnapshot(String domain, String snapshot) throws VirtException;

    /** Stores a pool definition; a null document deletes it. */
    void savePool(String name, String xml) throws VirtException;

    /** Records whether a pool is started, so a daemon restart keeps it started. */
    default void savePoolActive(String name, boolean active) throws VirtException {
    }

    /** Stores a network definition; a null document deletes it and its autostart flag. */
    default void saveNetwork(String name, String xml) throws VirtException {
    }

    default void saveNetworkAutostart(String name, boolean on) throws VirtException {
    }

    /** Records a running network's live definition (null: it stopped), so a daemon restart re-adopts it. */
    default void saveNetworkLive(String name, String xml) throws VirtException {
    }

    Persistence NONE = new Persistence() {
        @Override public void saveDomain(String name, String xml) { }
        @Override public void deleteDomain(String name) { }
        @Override public void saveAutostart(String name, boolean on) { }
        @Override public void saveSnapshot(String domain, String snapshot, String xml) { }
        @Override public void saveCurrentSnapshot(String domain, String snapshot) { }
        @Override public void savePool(String name, String xml) { }
    };
}
