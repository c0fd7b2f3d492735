package io.jvirt.manager.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.manager.Connection;
import io.jvirt.manager.SnapshotInfo;
import io.jvirt.manager.VirtException;
import io.jvirt.manager.VolumeInfo;
import io.jvirt.manager.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jvirt:/// driver without the daemon: stored definitions, directory pools with real
 * files, and qcow2 internal snapshots checked with the real qemu-img.
 */
class LocalDriverTest {

    @TempDir
    Path dir;

    static String xml(String name, String disk, String format) {
        return "<domain type='kvm'><name>" + name + "</name><memory unit='MiB'>64</memory><os><type>hvm</type>"
                + "<kernel>/boot/vmlinuz</kernel></os><devices><disk type='file' device='disk'><driver name='qemu' type='"
                + format + "'/><source file='" + disk + "'/><target dev='vda' bus='virtio'/></disk></devices></domain>";
    }

    static String qemuImg(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("qemu-img"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    @Test
    void poolsVolumesAndDiskSnapshots() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-img")),
                "qemu-img (Debian qemu-utils) checks the snapshots; scripts/install-deps installs it");
        Store store = new Store(dir.resolve("store"));
        Path poolDir = dir.resolve("pool");
        Connection c = LocalDriver.open("jvirt:///session", store, List.of("false"), null);
        c.definePool("p", "dir", poolDir.toString());
        VirtException notBuilt = assertThrows(VirtException.class, () -> c.startPool("p"));
        assertTrue(notBuilt.getMessage().contains("jvirt pool-build p"), notBuilt.getMessage());
        c.buildPool("p");
        c.startPool("p");
        VolumeInfo q = c.createVolume("p", "root.qcow2", 64L << 20, "qcow2");
        assertEquals("qcow2", q.format());
        assertEquals(64L << 20, q.capacity());
        assertTrue(qemuImg("info", q.path()).contains("file format: qcow2"));
        VolumeInfo r = c.createVolume("p", "data.img", 1L << 20, "raw");
        c.resizeVolume("p", "root.qcow2", 128L << 20, false);
        assertTrue(qemuImg("info", q.path()).contains("virtual size: 128 MiB"));
        assertThrows(VirtException.class, () -> c.resizeVolume("p", "data.img", 1024, false));
        assertEquals(1L << 20, Files.size(Path.of(r.path())), "a refused shrink leaves the file alone");
        c.cloneVolume("p", "data.img", "copy.img");
        assertEquals(List.of("copy.img", "data.img", "root.qcow2"), c.listVolumes("p").stream().map(VolumeInfo::name).toList());

        c.define(xml("vm", q.path(), "qcow2"), "vm.xml");
        SnapshotInfo s1 = c.createSnapshot("vm", "s1", "before upgrade");
        assertTrue(s1.current());
        assertTrue(qemuImg("snapshot", "-l", q.path()).contains("s1"), "qemu-img sees the internal snapshot");
        c.createSnapshot("vm", "s2", null);
        VirtException withSnaps = assertThrows(VirtException.class, () -> c.undefine("vm"));
        assertEquals("Requested operation is not valid: cannot delete inactive domain with 2 snapshots", withSnaps.getMessage());
        VirtException missing = assertThrows(VirtException.class, () -> c.revertSnapshot("vm", "nosuch"));
        assertEquals(VirtException.Code.NO_SNAPSHOT, missing.code());
        c.revertSnapshot("vm", "s1");
        assertEquals("s1", c.currentSnapshot("vm").orElseThrow().name());

        // A raw writable disk cannot hold an internal snapshot: refused, nothing written.
        c.define(xml("rawvm", r.path(), "raw"), "rawvm.xml");
        VirtException raw = assertThrows(VirtException.class, () -> c.createSnapshot("rawvm", "x", null));
        assertTrue(raw.getMessage().contains("unsupported for storage type raw"), raw.getMessage());
        assertFalse(Files.exists(store.root().resolve("snapshots/rawvm/x.xml")));

        // A second driver on the same store sees everything the first one wrote.
        Connection again = LocalDriver.open("jvirt:///session", store, List.of("false"), null);
        assertEquals(List.of("s1", "s2"), again.listSnapshots("vm").stream().map(SnapshotInfo::name).toList());
        assertEquals("s1", again.currentSnapshot("vm").orElseThrow().name());
        assertEquals("s1", again.listSnapshots("vm").get(1).parent());
        assertTrue(again.pool("p").active());
        assertEquals(c.dumpXml("vm", true), again.dumpXml("vm", true));

        again.deleteSnapshot("vm", "s1");
        assertEquals(null, again.listSnapshots("vm").getFirst().parent(), "s2 moves up to s1's parent");
        again.deleteSnapshot("vm", "s2");
        assertFalse(qemuImg("snapshot", "-l", q.path()).contains("s1"));
        again.undefine("vm");
        assertFalse(Files.exists(store.root().resolve("domains/vm.xml")));
        assertFalse(Files.exists(store.root().resolve("snapshots/vm")));
        assertTrue(qemuImg("check", q.path()).contains("No errors were found"));
    }

    @Test
    void startWithoutKernelIsRefusedWithoutSideEffects() throws Exception {
        Store store = new Store(dir.resolve("store"));
        Connection c = LocalDriver.open("jvirt:///session", store, List.of("false"), null);
        c.define("<domain type='qemu'><name>nok</name><memory>65536</memory><os><type>hvm</type></os></domain>", "n.xml");
        VirtException e = assertThrows(VirtException.class, () -> c.start("nok"));
        assertTrue(e.getMessage().contains("has no <os><kernel>"), e.getMessage());
        assertEquals(io.jvirt.manager.DomainState.SHUTOFF, c.domain("nok").state());
        assertEquals(List.of(), store.list("run", ".json"));
    }
}
