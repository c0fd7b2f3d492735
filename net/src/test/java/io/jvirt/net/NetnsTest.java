package io.jvirt.net;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Needs root and iproute2; everything it builds lives in namespaces it creates and deletes. */
class NetnsTest {
    private static final String TAG = "jvn" + ProcessHandle.current().pid() % 100000;

    @BeforeAll
    static void needsRoot() {
        assumeTrue("root".equals(System.getProperty("user.name")), "network namespaces need root");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip")),
                "iproute2 not installed");
    }

    @Test
    void bridgeVethAndTapCarryAPingBetweenNamespaces() {
        try (Netns a = Netns.create(TAG + "a"); Netns b = Netns.create(TAG + "b")) {
            a.addBridge("br0");
            a.addTap("tap0");
            a.attach("tap0", "br0");
            a.addVeth("va", b, "vb");
            a.attach("va", "br0");
            a.address("br0", "10.9.0.1/24");
            b.address("vb", "10.9.0.2/24");
            assertTrue(a.ip("-o", "link", "show", "master", "br0").contains("tap0"));
            String flags = a.exec("cat", "/sys/class/net/tap0/tun_flags").strip();
            assertTrue((Integer.decode(flags) & 0x7003) == 0x5002, "IFF_TAP|IFF_NO_PI|IFF_VNET_HDR in " + flags);
            String out = b.exec("busybox", "ping", "-c", "1", "-W", "5", "10.9.0.1");
            assertTrue(out.contains("1 packets received"), out);
        }
        String left = Netns.hostIp("netns", "list");
        assertFalse(left.contains(TAG + "a") || left.contains(TAG + "b"), left);
    }

    @Test
    void failuresNameTheCommandAndBadNamesAreRefused() {
        try (Netns a = Netns.create(TAG + "c")) {
            NetException e = assertThrows(NetException.class, () -> Netns.create(TAG + "c"));
            assertTrue(e.getMessage().contains("netns add " + TAG + "c"), e.getMessage());
            assertThrows(NetException.class, () -> a.address("nosuchif", "10.0.0.1/24"));
            a.close();
            a.close(); // idempotent
        }
        assertThrows(IllegalArgumentException.class, () -> Netns.create("bad name"));
        assertThrows(IllegalArgumentException.class, () -> Netns.create("x".repeat(16)));
    }
}
