package io.jvirt.cli.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvirt.testkit.DebianKernel;
import io.jvirt.testkit.Host;
import io.jvirt.testkit.TestInitramfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance of jvirt's network card through the command line, on the software CPU: in a
 * network namespace this test creates ({@code ip netns add}), a TAP with the host side's address
 * 10.79.0.1/24, and {@code ip netns exec NS jvirt run --accel tcg --net tap=TAP,mac=...}. Debian's
 * kernel brings eth0 up (virtio_net.ko), pings the host three times and moves 1 MiB over TCP each
 * way with busybox nc (host to guest and guest to host), both checked by md5; then it powers off.
 * Needs root and /dev/net/tun (skips without). Slow (a few minutes): tagged {@code linux}.
 */
@Tag("linux")
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class RunNetLinuxTcgTest {

    private static final String MAC = "52:54:00:4a:56:01";
    private static final String HOST = "10.79.0.1";
    private static final String GUEST = "10.79.0.2";
    private static final int DOWN_PORT = 9001;
    private static final int UP_PORT = 9000;

    @TempDir
    Path dir;

    @Test
    void guestPingsAndStreamsTcpBothWaysThroughATapInANetns() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "network namespaces and TAPs need root");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "/dev/net/tun missing (modprobe tun)");
        assumeTrue(Host.run(null, "ip", "-V").status() == 0, "needs ip (apt-get install iproute2)");
        DebianKernel kernel = DebianKernel.ensure();
        String ns = "jvnet" + ProcessHandle.current().pid();
        String tap = "jvtap0";
        Host.Result added = Host.run(null, "ip", "netns", "add", ns);
        assumeTrue(added.status() == 0, "cannot create a network namespace: " + added.out());
        Process down = null;
        Process up = null;
        try {
            Host.check(null, "ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
            Host.check(null, "ip", "netns", "exec", ns, "ip", "tuntap", "add", "dev", tap, "mode", "tap");
            Host.check(null, "ip", "netns", "exec", ns, "ip", "addr", "add", HOST + "/24", "dev", tap);
            Host.check(null, "ip", "netns", "exec", ns, "ip", "link", "set", tap, "up");

            byte[] blob = new byte[1 << 20];
            new Random(79).nextBytes(blob);
            Path blobFile = dir.resolve("blob");
            Files.write(blobFile, blob);
            Path upload = dir.resolve("upload");
            // busybox nc quits when its stdin ends: the sender reads the file, the receiver a pipe
            // that stays open (the Java side of stdin) until the connection closes.
            down = new ProcessBuilder("ip", "netns", "exec", ns, "busybox", "nc", "-l", "-p", "" + DOWN_PORT)
                    .redirectInput(blobFile.toFile()).redirectErrorStream(true).start();
            up = new ProcessBuilder("ip", "netns", "exec", ns, "busybox", "nc", "-l", "-p", "" + UP_PORT)
                    .redirectOutput(upload.toFile()).start();

            Path initrd = TestInitramfs.of(kernel).modules("virtio_mmio", "virtio_net").script(
                    "ip link set eth0 up",
                    "ip addr add " + GUEST + "/24 dev eth0",
                    "echo \"== eth0 $(cat /sys/class/net/eth0/address)\"",
                    "ping -c 3 -W 10 " + HOST,
                    // the guest's nc reads a FIFO opened read-write: its stdin never ends, so it
                    // quits when the host closes the connection, not before
                    "mkfifo /idle",
                    "timeout 300 nc " + HOST + " " + DOWN_PORT + " 0<>/idle > /down",
                    "echo \"== down $(wc -c < /down) $(md5sum < /down)\"",
                    "dd if=/dev/urandom of=/up bs=65536 count=16 2>/dev/null",
                    "echo \"== up $(md5sum < /up)\"",
                    "timeout 300 nc " + HOST + " " + UP_PORT + " < /up",
                    "echo '== done'",
                    "poweroff -f").write(dir);

            JvirtRun vm = JvirtRun.run(dir, List.of("ip", "netns", "exec", ns), "--accel", "tcg", "--no-reboot",
                    "--memory", "256M", "--kernel", kernel.vmlinuz().toString(), "--initrd", initrd.toString(),
                    "--cmdline", "console=ttyS0 panic=-1 reboot=k", "--net", "tap=" + tap + ",mac=" + MAC);

            String c = vm.console();
            assertTrue(c.contains("== done"), "the guest's script did not finish; " + vm.describe());
            assertEquals(0, vm.status(), "poweroff -f ends jvirt with status 0; " + vm.describe());
            assertTrue(c.contains("== eth0 " + MAC), "eth0 has the --net MAC; " + vm.describe());
            assertTrue(c.contains("3 packets transmitted, 3 packets received"), "ping answered; " + vm.describe());
            assertTrue(c.contains("== down 1048576 " + md5(blob)), "1 MiB host -> guest intact; " + vm.describe());
            assertTrue(up.waitFor(60, TimeUnit.SECONDS), "the upload connection closed");
            byte[] got = Files.readAllBytes(upload);
            assertEquals(1 << 20, got.length, "bytes the host received; " + vm.describe());
            assertTrue(c.contains("== up " + md5(got)), "1 MiB guest -> host intact; " + vm.describe());
            assertArrayEquals(blob, Files.readAllBytes(blobFile), "the host's file is untouched");
        } finally {
            for (Process p : new Process[] {down, up}) {
                if (p != null) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            Host.run(null, "ip", "netns", "del", ns); // takes the TAP with it
        }
    }

    private static String md5(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data)) + "  -";
    }
}
