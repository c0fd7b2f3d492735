package io.jvirt.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Needs root (CAP_NET_ADMIN) and /dev/net/tun. The TAP it creates is new, never brought up,
 * has no address, and disappears when the descriptor closes; no existing interface is touched.
 */
class TapTest {

    private static void assumeTun() {
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "/dev/net/tun missing (modprobe tun)");
        assumeTrue("root".equals(System.getProperty("user.name")), "creating a TAP needs root or CAP_NET_ADMIN");
    }

    @Test
    void opensANonBlockingTapWithVnetHeaders() throws Exception {
        assumeTun();
        String name = "jvt" + ProcessHandle.current().pid() % 100000 + "t";
        Path sys = Path.of("/sys/class/net", name);
        try (Tap tap = Tap.open(name)) {
            assertEquals(name, tap.name());
            assertTrue(tap.fd() >= 0);
            assertTrue(Files.isDirectory(sys), "kernel shows " + sys);
            // tun_flags in sysfs: IFF_TAP | IFF_NO_PI | IFF_VNET_HDR (Documentation/ABI/testing/sysfs-class-net).
            String flags = Files.readString(sys.resolve("tun_flags")).trim();
            assertEquals(0x1002 | 0x4000, Integer.decode(flags) & 0x7003, flags);
            tap.setOffload(Tap.OFFLOAD_CSUM | Tap.OFFLOAD_TSO4 | Tap.OFFLOAD_TSO6 | Tap.OFFLOAD_TSO_ECN);
            assertEquals(-1, tap.read(new byte[Tap.MAX_PACKET]), "a down TAP has nothing to read, and does not block");
            // TSO without checksum offload is refused by the kernel (tun set_offload).
            assertThrows(SysException.class, () -> tap.setOffload(Tap.OFFLOAD_TSO4));
        }
        assertFalse(Files.exists(sys), "a non-persistent TAP goes away with its descriptor");
    }

    @Test
    void rejectsNamesLinuxCannotHold() {
        var e = assertThrows(IllegalArgumentException.class, () -> Tap.open("much-too-long-name0"));
        assertTrue(e.getMessage().contains("much-too-long-name0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tap.open("a b"));
    }
}
