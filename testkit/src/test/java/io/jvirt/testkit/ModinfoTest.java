package io.jvirt.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * .modinfo parsing against the real modules of Debian's cloud kernel: the dependency order the
 * virtio tests insmod in (downloads the kernel once; skips where apt cannot), and hostile bytes.
 */
class ModinfoTest {

    @Test
    void virtioNetComesAfterEverythingItNeeds() {
        DebianKernel k = DebianKernel.ensure();
        List<String> names = k.modulesFor("virtio_mmio", "virtio_net").stream()
                .map(p -> p.getFileName().toString()).toList();
        assertTrue(names.contains("virtio_mmio.ko") && names.contains("failover.ko"), names.toString());
        assertTrue(names.indexOf("virtio.ko") < names.indexOf("virtio_mmio.ko"), names.toString());
        // virtio.ko needs virtio_ring's virtio_break_device (bench/lib/guest.sh hard-codes this order)
        assertTrue(names.indexOf("virtio_ring.ko") < names.indexOf("virtio.ko"), names.toString());
        assertTrue(names.indexOf("virtio_ring.ko") < names.indexOf("virtio_mmio.ko"), names.toString());
        assertTrue(names.indexOf("failover.ko") < names.indexOf("net_failover.ko"), names.toString());
        assertTrue(names.indexOf("net_failover.ko") < names.indexOf("virtio_net.ko"), names.toString());
        assertEquals(names.size(), names.stream().distinct().count(), "each module once: " + names);
        assertEquals("virtio_net.ko", names.getLast());
    }

    @Test
    void dashAndUnderscoreNameTheSameModule() {
        DebianKernel k = DebianKernel.ensure();
        List<Path> rng = k.modulesFor("virtio-rng");
        assertEquals(rng, k.modulesFor("virtio_rng"));
        assertEquals("virtio-rng.ko", rng.getLast().getFileName().toString());
    }

    @Test
    void garbageIsRefusedWithTheFileName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Modinfo.parse(new byte[100], "junk.ko"));
        assertTrue(e.getMessage().startsWith("junk.ko is not a little-endian ELF64"), e.getMessage());
        byte[] badOffsets = new byte[0x40];
        System.arraycopy(new byte[] {0x7f, 'E', 'L', 'F', 2, 1}, 0, badOffsets, 0, 6);
        badOffsets[0x28] = (byte) 0xff; // e_shoff far past the end
        badOffsets[0x3c] = 5;           // e_shnum
        badOffsets[0x3a] = 64;          // e_shentsize
        e = assertThrows(IllegalArgumentException.class, () -> Modinfo.parse(badOffsets, "cut.ko"));
        assertTrue(e.getMessage().contains("outside the file"), e.getMessage());
    }
}
