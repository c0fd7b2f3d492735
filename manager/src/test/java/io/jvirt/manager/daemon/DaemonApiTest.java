package io.jvirt.manager.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.manager.Connection;
import io.jvirt.manager.DomainState;
import io.jvirt.manager.SnapshotInfo;
import io.jvirt.manager.VirtException;
import io.jvirt.manager.VolumeInfo;
import io.jvirt.manager.store.Store;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The REST routes for pools, volumes and snapshots, error mapping, and hostile HTTP. */
class DaemonApiTest {

    @TempDir
    Path dir;

    static String raw(Path socket, String request) throws Exception {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1)));
            InputStream in = Channels.newInputStream(ch);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void storageSnapshotsAndErrors() throws Exception {
        Store store = new Store(dir.resolve("store"));
        // "false" exits at once: every start fails the way a broken VMM would.
        try (Daemon d = Daemon.start(store, "jvirt:///session", List.of("false"))) {
            Connection c = new RestClient("jvirt:///session", store.socket());
            c.definePool("p", "dir", dir.resolve("pool").toString());
            c.buildPool("p");
            c.startPool("p");
            VolumeInfo v = c.createVolume("p", "disk.qcow2", 32L << 20, "qcow2");
            assertEquals(List.of(v), c.listVolumes("p"));
            assertEquals(VirtException.Code.NO_VOLUME, assertThrows(VirtException.class, () -> c.volume("p", "x")).code());
            assertEquals(VirtException.Code.NO_POOL, assertThrows(VirtException.class, () -> c.listVolumes("q")).code());

            c.define("<domain type='kvm'><name>vm</name><memory>65536</memory><os><type>hvm</type>"
                    + "<kernel>/boot/vmlinuz</kernel></os><devices><disk type='file'><driver type='qcow2'/>"
                    + "<source file='" + v.path() + "'/><target dev='vda' bus='virtio'/></disk></devices></domain>", "vm.xml");
            SnapshotInfo s = c.createSnapshot("vm", "s1", "first");
            assertEquals("first", s.description());
            assertEquals("s1", c.currentSnapshot("vm").orElseThrow().name());
            assertTrue(c.snapshotXml("vm", "s1").contains("<disk name='vda' snapshot='internal'/>"));
            c.revertSnapshot("vm", "s1");
            assertEquals(VirtException.Code.NO_SNAPSHOT,
                    assertThrows(VirtException.class, () -> c.revertSnapshot("vm", "nope")).code());
            c.deleteSnapshot("vm", "s1");
            assertTrue(c.currentSnapshot("vm").isEmpty());

            VirtException start = assertThrows(VirtException.class, () -> c.start("vm"));
            assertTrue(start.getMessage().contains("exited during start-up"), start.getMessage());
            assertEquals(DomainState.SHUTOFF, c.domain("vm").state());
            assertEquals(List.of(), store.list("run", ".json"), "a failed start leaves no run record");

            assertTrue(raw(store.socket(), "BOGUS\r\n\r\n").startsWith("HTTP/1.1 400 "));
            assertTrue(raw(store.socket(), "GET /v1/nothing HTTP/1.1\r\nConnection: close\r\n\r\n").startsWith("HTTP/1.1 404 "));
            assertTrue(raw(store.socket(), "POST /v1/domains HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n")
                    .startsWith("HTTP/1.1 400 "));
            String badJson = raw(store.socket(), "POST /v1/pools HTTP/1.1\r\nConnection: close\r\nContent-Length: 5\r\n\r\n{nope");
            assertTrue(badJson.startsWith("HTTP/1.1 400 ") && badJson.contains("INVALID_ARG"), badJson);
            assertTrue(RestClient.alive(store.socket()), "the daemon survives bad requests");

            // Names become file names: traversal attempts are refused and write nothing.
            VirtException pool = assertThrows(VirtException.class, () -> c.definePool("../../escape", "dir", "/tmp/x"));
            assertEquals(VirtException.Code.INVALID_ARG, pool.code());
            assertEquals(VirtException.Code.INVALID_ARG,
                    assertThrows(VirtException.class, () -> c.createVolume("p", ".hidden", 1024, "raw")).code());
            assertEquals(VirtException.Code.INVALID_ARG,
                    assertThrows(VirtException.class, () -> c.createSnapshot("vm", "..", null)).code());
            assertThrows(VirtException.class, () -> c.define("<domain type='kvm'><name>.x</name><memory>1024</memory>"
                    + "<os><type>hvm</type></os></domain>", "x.xml"));
            assertTrue(java.nio.file.Files.notExists(dir.resolve("escape.xml")));
            assertEquals(List.of("p"), store.list("pools", ".xml"));
        }
    }
}
