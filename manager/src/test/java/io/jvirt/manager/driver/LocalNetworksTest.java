package io.jvirt.manager.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.manager.Connection;
import io.jvirt.manager.NetworkInfo;
import io.jvirt.manager.VirtException;
import io.jvirt.manager.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Network definitions in the jvirt:/// driver without touching the host (nothing is started):
 * virbrN and MAC assignment, libvirt's duplicate checks with the state unchanged, autostart and
 * definitions surviving a reopen, a bad stored file skipped. NetworkDaemonTest starts networks.
 */
class LocalNetworksTest {

    @TempDir
    Path dir;

    static String net(String name, String extra) {
        return "<network><name>" + name + "</name>" + extra + "<ip address='10.5.0.1' prefix='24'/></network>";
    }

    @Test
    void definitionsAreCheckedPersistedAndReloaded() throws Exception {
        Store store = new Store(dir.resolve("store"));
        Connection c = LocalDriver.open("jvirt:///session", store, List.of("false"), null);
        NetworkInfo a = c.defineNetwork(net("a", "<bridge name='jvtest0'/>"), "a.xml");
        NetworkInfo b = c.defineNetwork(net("b", ""), "b.xml");
        assertTrue(b.bridge().startsWith("virbr"), b.bridge());
        assertTrue(b.xml().contains("<mac address='52:54:00:"), "a generated MAC: " + b.xml());
        assertFalse(a.active());
        String stored = Files.readString(store.root().resolve("networks/a.xml"));

        VirtException sameBridge = assertThrows(VirtException.class,
                () -> c.defineNetwork(net("c", "<bridge name='jvtest0'/>"), "c.xml"));
        assertEquals("internal error: bridge name 'jvtest0' already in use.", sameBridge.getMessage());
        VirtException sameName = assertThrows(VirtException.class, () -> c.defineNetwork(net("a", ""), "a2.xml"));
        assertTrue(sameName.getMessage().startsWith("operation failed: network 'a' already exists with uuid " + a.uuid()),
                sameName.getMessage());
        VirtException sameUuid = assertThrows(VirtException.class,
                () -> c.defineNetwork(net("z", "<uuid>" + a.uuid() + "</uuid>"), "z.xml"));
        assertEquals("operation failed: network 'a' is already defined with uuid " + a.uuid(), sameUuid.getMessage());
        assertEquals(List.of("a", "b"), c.listNetworks().stream().map(NetworkInfo::name).toList(), "nothing half-added");
        assertEquals(stored, Files.readString(store.root().resolve("networks/a.xml")), "a refused define changes nothing");

        VirtException notActive = assertThrows(VirtException.class, () -> c.destroyNetwork("a"));
        assertEquals("Requested operation is not valid: network 'a' is not active", notActive.getMessage());
        assertEquals(VirtException.Code.NO_NETWORK, assertThrows(VirtException.class, () -> c.startNetwork("nosuch")).code());
        VirtException mode = assertThrows(VirtException.class, () -> {
            c.defineNetwork("<network><name>m</name><forward mode='passthrough'/></network>", "m.xml");
            c.startNetwork("m");
        });
        assertTrue(mode.getMessage().contains("forward mode 'passthrough' of network 'm' is not supported by jvirt"),
                mode.getMessage());
        assertFalse(c.network("m").active());
        assertEquals(List.of(), store.list("run/networks", ".xml"), "a refused start leaves no live record");
        assertEquals(List.of(), c.networkLeases("a"), "an inactive network has no leases");

        // Autostart goes to the store. Only 'm' gets it: reopening the driver autostarts it, and its start fails
        // before touching the host (this test must not build networks outside a namespace).
        c.setNetworkAutostart("m", true);
        c.setNetworkAutostart("m", false);
        assertFalse(Files.exists(store.root().resolve("networks/m.autostart")));
        c.setNetworkAutostart("m", true);
        c.close();
        Files.writeString(store.root().resolve("networks/broken.xml"), "<network><name>broken");
        Connection again = LocalDriver.open("jvirt:///session", store, List.of("false"), null);
        assertEquals("a", again.network(a.uuid().toString()).name());
        assertTrue(again.network("m").autostart());
        assertFalse(again.network("m").active(), "its autostart failed and was logged");
        assertEquals(b.bridge(), again.network("b").bridge(), "the assigned bridge is stored");
        assertEquals(List.of("a", "b", "m"), again.listNetworks().stream().map(NetworkInfo::name).toList(),
                "the broken file is skipped");
        again.undefineNetwork("m");
        assertFalse(Files.exists(store.root().resolve("networks/m.autostart")));
        assertFalse(Files.exists(store.root().resolve("networks/m.xml")));
        again.close();
    }
}
