package io.jvirt.manager.driver;

import io.jvirt.manager.VirtException;
import io.jvirt.manager.store.Store;

/** Persistence on the {@link Store}: one atomic file per definition, snapshot and flag. */
final class StorePersistence implements Persistence {

    private final Store store;

    StorePersistence(Store store) {
        this.store = store;
    }

    @Override
    public void saveDomain(String name, String xml) throws VirtException {
        store.put("domains/" + name + ".xml", xml);
    }

    @Override
    public void deleteDomain(String name) throws VirtException {
        store.remove("domains/" + name + ".autostart");
        store.remove("domains/" + name + ".xml");
        for (String s : store.list("snapshots/" + name, ".xml")) {
            store.remove("snapshots/" + name + "/" + s + ".xml");
        }
        store.remove("snapshots/" + name + "/current");
        store.removeDir("snapshots/" + name);
    }

    @Override
    public void saveAutostart(String name, boolean on) throws VirtException {
        flag("domains/" + name + ".autostart", on);
    }

    @Override
    public void saveSnapshot(String domain, String snapshot, String xml) throws VirtException {
        putOrRemove("snapshots/" + domain + "/" + snapshot + ".xml", xml);
    }

    @Override
    public void saveCurrentSnapshot(String domain, String snapshot) throws VirtException {
        if (snapshot == null) {
            store.remove("snapshots/" + domain + "/current");
        } else {
            store.put("snapshots/" + domain + "/current", snapshot + "\n");
        }
    }

    @Override
    public void savePool(String name, String xml) throws VirtException {
        saveDefinition("pools/" + name, ".active", xml);
    }

    @Override
    public void savePoolActive(String name, boolean active) throws VirtException {
        flag("pools/" + name + ".active", active);
    }

    @Override
    public void saveNetwork(String name, String xml) throws VirtException {
        saveDefinition("networks/" + name, ".autostart", xml);
    }

    @Override
    public void saveNetworkAutostart(String name, boolean on) throws VirtException {
        flag("networks/" + name + ".autostart", on);
    }

    @Override
    public void saveNetworkLive(String name, String xml) throws VirtException {
        putOrRemove("run/networks/" + name + ".xml", xml);
    }

    /** Writes {@code base}.xml; a null {@code xml} removes it and its flag {@code base}{@code flag} first. */
    private void saveDefinition(String base, String flag, String xml) throws VirtException {
        if (xml == null) {
            store.remove(base + flag);
        }
        putOrRemove(base + ".xml", xml);
    }

    /** Writes {@code content} to {@code path}, or removes the file when it is null. */
    private void putOrRemove(String path, String content) throws VirtException {
        if (content == null) {
            store.remove(path);
        } else {
            store.put(path, content);
        }
    }

    /** A flag file: present (holding "1") when {@code on}. */
    private void flag(String path, boolean on) throws VirtException {
        putOrRemove(path, on ? "1\n" : null);
    }
}
