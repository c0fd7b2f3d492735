package io.jvirt.vmm.devices.virtio;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvirt.net.Netns;
import io.jvirt.net.Nic;
import io.jvirt.sys.Tap;
import io.jvirt.vmm.arch.x86_64.firmware.TestLinux;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: Debian's kernel on the software CPU finds our virtio-net through the DSDT
 * (LNRO0005), virtio_net.ko brings eth0 up on it, and busybox ping reaches 10.78.0.1, the
 * address of the TAP behind the device in a network namespace this test creates (root needed),
 * on a {@link TcgLinuxRig}.
 * Slow (minutes): tagged {@code linux}. The console goes to target/net-linux/console.log.
 */
@Tag("linux")
class NetLinuxTcgTest {
    private static final long MINUTES = Long.getLong("jvirt.tcg.bootMinutes", 15);
    private static final String DONE = "== done";

    @TempDir
    Path dir;

    @Test
    void linuxPingsTheHostThroughOurVirtioNet() throws Exception {
        TestLinux linux = TestLinux.find();
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "/dev/net/tun missing (modprobe tun)");
        assumeTrue("root".equals(System.getProperty("user.name")), "TAPs and network namespaces need root");
        Path initrd = linux.initramfs(dir, List.of("drivers/virtio/virtio_ring.ko", "drivers/virtio/virtio.ko",
                "drivers/virtio/virtio_mmio.ko", "net/core/failover.ko", "drivers/net/net_failover.ko",
                "drivers/net/virtio_net.ko"),
                List.of(
                "bb ip link set eth0 up",
                "bb ip addr add 10.78.0.2/24 dev eth0",
                "echo \"== eth0: $(bb cat /sys/class/net/eth0/address) $(bb cat /sys/class/net/eth0/operstate)\"",
                "echo \"== features $(bb cat /sys/class/net/eth0/device/features)\"",
                "bb ping -c 3 -W 10 10.78.0.1",
                "echo \"== down $(bb wget -q -O - http://10.78.0.1:8080/blob | bb md5sum)\"",
                "bb dd if=/dev/urandom of=/up bs=65536 count=16 2>/dev/null",
                "echo \"== up $(bb md5sum < /up)\"",
                "bb timeout 60 bb nc 10.78.0.1 9000 < /up",
                "echo \"" + DONE + "\"",
                "bb poweroff -f"));
        String tag = "jvlx" + ProcessHandle.current().pid() % 100000;
        Path logFile = Path.of("target", "net-linux", "console.log");

        VirtioDevice net = null;
        Process httpd = null;
        Process listener = null;
        try (TcgLinuxRig rig = TcgLinuxRig.boot(linux.kernel(), initrd, 1, logFile);
             Netns ns = Netns.create(tag); Tap tap = Tap.open(tag + "t")) {
            ns.exec("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
            ns.adopt(tap.name());
            ns.address(tap.name(), "10.78.0.1/24");
            // TCP both ways exercises the offloads Linux negotiates: GUEST_CSUM/TSO (host -> guest
            // 64 KiB GSO frames) and CSUM/HOST_TSO (guest -> host, segmented by the TAP).
            byte[] blob = new byte[1 << 20];
            new java.util.Random(42).nextBytes(blob);
            Files.createDirectories(dir.resolve("www"));
            Files.write(dir.resolve("www/blob"), blob);
            httpd = new ProcessBuilder("ip", "netns", "exec", ns.name(), "busybox", "httpd", "-f", "-p", "10.78.0.1:8080",
                    "-h", dir.resolve("www").toString()).redirectErrorStream(true).start();
            Path upload = dir.resolve("upload");
            listener = new ProcessBuilder("ip", "netns", "exec", ns.name(), "busybox", "nc", "-l", "-p", "9000")
                    .redirectOutput(upload.toFile()).redirectErrorStream(false).start();
            try {
                net = VirtioDevice.net(tap, Nic.macBytes("52:54:00:12:34:56"));
                VirtioMmio nic = rig.attach(0, net);
                TcgLinuxRig.Outcome o = rig.run(MINUTES);
                String text = o.console();
                String tail = o.tail();
                assertTrue(text.contains(DONE), "the guest never finished its script; console tail:\n" + tail);
                assertTrue(o.poweredOff(), "no S5 power-off; console tail:\n" + tail);
                assertTrue(text.contains("== eth0: 52:54:00:12:34:56"), "eth0 has the MAC from config space; console tail:\n" + tail);
                assertTrue(text.contains("3 packets transmitted, 3 packets received"), "ping answered; console tail:\n" + tail);
                java.util.regex.Matcher f = java.util.regex.Pattern.compile("== features ([01]{32,})").matcher(text);
                assertTrue(f.find() && f.group(1).charAt(NetDevice.F_MRG_RXBUF) == '1',
                        "Linux negotiated VIRTIO_NET_F_MRG_RXBUF, so the transfers used mergeable buffers; console tail:\n" + tail);
                assertTrue(ns.ip("neigh", "show", "dev", tap.name()).contains("52:54:00:12:34:56"), "host learned the guest MAC");
                assertTrue(text.contains("== down " + md5(blob)), "1 MiB download over TCP intact; console tail:\n" + tail);
                assertTrue(listener.waitFor(30, TimeUnit.SECONDS), "the upload connection closed");
                byte[] got = Files.readAllBytes(upload);
                assertTrue(text.contains("== up " + md5(got)) && got.length == (1 << 20),
                        got.length + "-byte upload matches the guest's md5; console tail:\n" + tail);
                assertTrue((nic.status() & Virtio.DEVICE_NEEDS_RESET) == 0, "the device never broke, status " + nic.status());
            } finally {
                if (net != null) {
                    net.close(); // its I/O thread writes guest memory: stop it before the rig unmaps RAM
                }
            }
        } finally {
            for (Process p : new Process[] {httpd, listener}) {
                if (p != null) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static String md5(byte[] data) throws java.security.NoSuchAlgorithmException {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(data));
    }
}
