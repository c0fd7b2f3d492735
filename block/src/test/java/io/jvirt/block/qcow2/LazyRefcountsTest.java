package io.jvirt.block.qcow2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.block.Peer;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** lazy_refcounts: the dirty bit is set while writing and cleared on close or repair. */
class LazyRefcountsTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void peer() {
        Peer.assumeInstalled();
    }

    @Test
    void dirtyBitLifecycle() throws Exception {
        Path img = dir.resolve("l.qcow2");
        Peer.qemuImg("create", "-q", "-f", "qcow2", "-o", "lazy_refcounts=on", img.toString(), "4M");
        Qcow2Image q = Qcow2Image.open(img, false);
        byte[] d = new byte[100_000];
        Arrays.fill(d, (byte) 7);
        q.write(12345, ByteBuffer.wrap(d));
        q.flush();
        // as if the process died here: the header says dirty
        assertTrue(Peer.qemuImg("info", "--output=json", img.toString()).contains("\"dirty-flag\": true"));
        Path copy = dir.resolve("crashed.qcow2");
        Files.copy(img, copy);
        q.close();
        assertTrue(Peer.qemuImg("info", "--output=json", img.toString()).contains("\"dirty-flag\": false"));
        // qemu opens the crashed copy read-write and repairs it; so do we
        try (Qcow2Image r = Qcow2Image.open(copy, false)) {
            assertFalse(r.details().dirty());
        }
        Peer.ok("qemu-img", "check", copy.toString());
        byte[] want = new byte[4 << 20];
        System.arraycopy(d, 0, want, 12345, d.length);
        assertArrayEquals(want, Peer.contents(copy));
    }
}
