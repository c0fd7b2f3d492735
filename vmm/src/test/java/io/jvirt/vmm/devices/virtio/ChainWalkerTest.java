package io.jvirt.vmm.devices.virtio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.vmm.arch.x86_64.firmware.TestGuestMemory;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The descriptor-chain syntax rules of virtio 1.2 §2.7.5 and §2.7.5.3, one by one. */
class ChainWalkerTest {
    private static final int NEXT = Virtio.VIRTQ_DESC_F_NEXT;
    private static final int WRITE = Virtio.VIRTQ_DESC_F_WRITE;
    private static final int INDIRECT = Virtio.VIRTQ_DESC_F_INDIRECT;
    private static final long TABLE = 0x1000;
    private static final long ITABLE = 0x2000;

    // RAM at [0, 64 KiB) and [128 KiB, 192 KiB).
    private final TestGuestMemory mem = new TestGuestMemory(0, 0x10000, 0x20000, 0x10000);
    private final TestDriver drv = new TestDriver(null, mem);

    @AfterEach
    void close() {
        mem.close();
    }

    private ChainWalker.Result walk(int head) {
        return ChainWalker.walk(mem, TABLE, 8, head, true);
    }

    private String malformed(int head) {
        return assertInstanceOf(ChainWalker.Result.Malformed.class, walk(head)).reason();
    }

    @Test
    void readableThenWritableWithIndirectTail() {
        drv.descriptor(TABLE, 0, 0x4000, 10, NEXT, 5);
        drv.descriptor(TABLE, 5, ITABLE, 32, INDIRECT, 0);
        drv.descriptor(ITABLE, 0, 0x5000, 20, NEXT, 1);
        drv.descriptor(ITABLE, 1, 0x20000, 30, WRITE, 0);
        Request r = assertInstanceOf(ChainWalker.Result.Ok.class, walk(0)).request();
        assertEquals(0, r.head());
        assertEquals(List.of(new Request.Buffer(0x4000, 10), new Request.Buffer(0x5000, 20)), r.readable());
        assertEquals(List.of(new Request.Buffer(0x20000, 30)), r.writable());
    }

    @Test
    void malformedChains() {
        drv.descriptor(TABLE, 0, 0x4000, 8, NEXT, 8);
        assertTrue(malformed(0).contains("index 8 is past the descriptor table"));
        drv.descriptor(TABLE, 1, 0x4000, 8, NEXT, 2);
        drv.descriptor(TABLE, 2, 0x4000, 8, NEXT, 1);
        assertTrue(malformed(1).contains("loops"));
        drv.descriptor(TABLE, 3, 0x4000, 8, WRITE | NEXT, 4);
        drv.descriptor(TABLE, 4, 0x4000, 8, 0, 0);
        assertTrue(malformed(3).contains("follows a device-writable"));
        drv.descriptor(TABLE, 5, 0xfff8, 16, 0, 0); // straddles the end of the first region
        assertTrue(malformed(5).contains("is not RAM"));
        drv.descriptor(TABLE, 6, ITABLE, 32, INDIRECT | NEXT, 0);
        assertTrue(malformed(6).contains("both INDIRECT and NEXT"));
        drv.descriptor(TABLE, 7, ITABLE, 24, INDIRECT, 0);
        assertTrue(malformed(7).contains("multiple of 16"));
        drv.descriptor(TABLE, 7, ITABLE, 16, INDIRECT, 0);
        drv.descriptor(ITABLE, 0, ITABLE, 16, INDIRECT, 0);
        assertTrue(malformed(7).contains("nesting"));
        drv.descriptor(TABLE, 7, 0x10000, 16, INDIRECT, 0); // table in the hole
        assertTrue(malformed(7).contains("indirect table 0x10000+0x10 is not RAM"));
        drv.descriptor(TABLE, 7, 0x4000, 0xffff_ffff, WRITE | NEXT, 0);
        drv.descriptor(TABLE, 0, 0x4000, 0xffff_ffff, WRITE, 0);
        assertTrue(malformed(7).contains("not RAM"));
        assertInstanceOf(ChainWalker.Result.Malformed.class, ChainWalker.walk(mem, TABLE, 8, 6, false));
    }

    @Test
    void zeroLengthBuffersAreSkippedWherever() {
        drv.descriptor(TABLE, 0, 0xdead_0000_0000L, 0, NEXT, 1);
        drv.descriptor(TABLE, 1, 0x4000, 4, WRITE, 0);
        Request r = assertInstanceOf(ChainWalker.Result.Ok.class, walk(0)).request();
        assertEquals(List.of(), r.readable());
        assertEquals(4, r.writableLength());
    }
}
