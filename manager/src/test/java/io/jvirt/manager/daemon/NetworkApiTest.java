package io.jvirt.manager.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.manager.Connection;
import io.jvirt.manager.NetworkInfo;
import io.jvirt.manager.VirtException;
import io.jvirt.manager.store.Store;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The /v1/networks routes through {@link RestClient} and raw HTTP, without building networks on
 * the host (NetworkDaemonTest does that inside a namespace): definitions, XML, autostart, and
 * errors with their codes and statuses.
 */
class NetworkApiTest {

    @TempDir
    Path dir;

    @Test
    void networkRoutes() throws Exception {
        Store store = new Store(dir.resolve("store"));
        try (Daemon d = Daemon.start(store, "jvirt:///session", List.of("false"))) {
            Connection c = new RestClient("jvirt:///session", store.socket());
            NetworkInfo n = c.defineNetwork("<network><name>lan</name><bridge name='jvapi0'/><forward mode='nat'/>"
                    + "<ip address='10.4.0.1' prefix='24'><dhcp><range start='10.4.0.2' end='10.4.0.9'/></dhcp></ip></network>",
                    "lan.xml");
            assertEquals("jvapi0", n.bridge());
            assertEquals(n, c.network("lan"));
            assertEquals(n, c.network(n.uuid().toString()));
            assertEquals(List.of(n), c.listNetworks());
            assertTrue(c.networkXml("lan", true).contains("<range start='10.4.0.2' end='10.4.0.9'/>"));
            c.setNetworkAutostart("lan", true);
            assertTrue(c.network("lan").autostart());
            assertEquals(List.of(), c.networkLeases("lan"));

            VirtException missing = assertThrows(VirtException.class, () -> c.startNetwork("nosuch"));
            assertEquals(VirtException.Code.NO_NETWORK, missing.code());
            assertEquals("Network not found: no network with matching name 'nosuch'", missing.getMessage());
            VirtException inactive = assertThrows(VirtException.class, () -> c.destroyNetwork("lan"));
            assertEquals(VirtException.Code.INVALID_OPERATION, inactive.code());
            VirtException xml = assertThrows(VirtException.class, () -> c.defineNetwork("<network><nam", "bad.xml"));
            assertEquals(VirtException.Code.XML, xml.code());
            String raw = DaemonApiTest.raw(store.socket(), "GET /v1/networks/nosuch HTTP/1.1\r\nConnection: close\r\n\r\n");
            assertTrue(raw.startsWith("HTTP/1.1 404 ") && raw.contains("NO_NETWORK"), raw);

            c.undefineNetwork("lan");
            assertEquals(List.of(), c.listNetworks());
            assertEquals(List.of(), store.list("networks", ".xml"));
        }
    }
}
