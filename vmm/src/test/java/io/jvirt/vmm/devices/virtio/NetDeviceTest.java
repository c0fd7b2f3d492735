package io.jvirt.vmm.devices.virtio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvirt.net.Netns;
import io.jvirt.sys.HostMemory;
import io.jvirt.sys.Tap;
import io.jvirt.vmm.devices.IrqLine;
import io.jvirt.vmm.memory.GuestMemory;
import io.jvirt.vmm.memory.GuestRam;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * virtio-net against the real kernel: a TAP moved into a network namespace this test creates
 * (address 10.77.0.1/24), the device driven from Java as virtio_net.c would drive it, and the
 * kernel's own ARP and ICMP answers read back from the RX queue. Needs root and /dev/net/tun.
 */
class NetDeviceTest {
    private static final byte[] MAC = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    private static final byte[] GUEST_IP = {10, 77, 0, 2};
    private static final byte[] HOST_IP = {10, 77, 0, 1};
    private static final long MEM = 16L << 20;

    private final String tag = "jvnet" + ProcessHandle.current().pid() % 100000;
    private Netns ns;
    private Tap tap;
    private HostMemory host;
    private GuestMemory mem;
    private VirtioMmio dev;
    private VirtioDevice net;
    private NetGuest guest;
    private final AtomicInteger irqRaises = new AtomicInteger();

    @BeforeEach
    void setUp() {
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "/dev/net/tun missing (modprobe tun)");
        assumeTrue("root".equals(System.getProperty("user.name")), "TAPs and network namespaces need root");
        ns = Netns.create(tag);
        ns.exec("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"); // no IPv6 chatter on RX
        tap = Tap.open(tag + "t");
        ns.adopt(tap.name());
        ns.address(tap.name(), "10.77.0.1/24");
        host = HostMemory.allocate(MEM);
        mem = GuestRam.over(host, MEM);
        net = VirtioDevice.net(tap, MAC);
        dev = VirtioMmio.create(net, mem, new IrqLine() {
            @Override
            public void set(boolean high) {
                if (high) {
                    irqRaises.incrementAndGet();
                }
            }
        });
        guest = new NetGuest(dev, mem);
    }

    @AfterEach
    void tearDown() {
        if (net != null) {
            net.close();
        }
        if (tap != null) {
            tap.close();
        }
        if (ns != null) {
            ns.close();
        }
        if (host != null) {
            host.close();
        }
    }

    private static long bit(int b) {
        return 1L << b;
    }

    /** Waits up to 10 s for a received packet that {@code match} accepts; acks the interrupt as a driver does. */
    private byte[] await(Predicate<byte[]> match) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end) {
            guest.write(MmioTransport.INTERRUPT_ACK, guest.read(MmioTransport.INTERRUPT_STATUS));
            for (byte[] p : guest.receive()) {
                assertEquals(1, p[NetDevice.NUM_BUFFERS_OFFSET], "num_buffers is 1 without MRG_RXBUF (5.1.6)");
                if (match.test(p)) {
                    return p;
                }
            }
            Thread.sleep(10);
        }
        return null;
    }

    @Test
    void configSpaceCarriesTheMacAndLinkUp() {
        long offered = guest.deviceFeatures();
        for (int b : new int[] {NetDevice.F_MAC, NetDevice.F_STATUS, NetDevice.F_CSUM, NetDevice.F_GUEST_CSUM,
                NetDevice.F_HOST_TSO4, NetDevice.F_GUEST_TSO6, Virtio.F_VERSION_1}) {
            assertTrue((offered & bit(b)) != 0, "feature " + b + " offered");
        }
        byte[] mac = new byte[6];
        for (int i = 0; i < 6; i++) {
            mac[i] = (byte) dev.read(MmioTransport.CONFIG + i, 1);
        }
        assertArrayEquals(MAC, mac);
        assertEquals(NetDevice.S_LINK_UP, dev.read(MmioTransport.CONFIG + 6, 2));
        assertEquals(1, guest.read(MmioTransport.DEVICE_ID));
    }

    @Test
    void kernelAnswersArpAndPingThroughTheTap() throws Exception {
        assertTrue(guest.start(bit(Virtio.F_VERSION_1) | bit(NetDevice.F_MAC) | bit(NetDevice.F_STATUS)));
        guest.send(NetFrames.arpRequest(MAC, GUEST_IP, HOST_IP));
        byte[] reply = await(p -> NetFrames.ethertype(p) == 0x0806 && p[NetFrames.HDR + 21] == 2
                && Arrays.equals(NetFrames.slice(p, NetFrames.HDR + 28, 4), HOST_IP));
        assertNotNull(reply, "ARP reply from the namespace's kernel");
        assertArrayEquals(MAC, NetFrames.slice(reply, NetFrames.HDR, 6), "reply addressed to the guest MAC");
        byte[] hostMac = NetFrames.slice(reply, NetFrames.HDR + 22, 6);
        assertTrue(irqRaises.get() > 0, "used-buffer interrupt raised from the I/O thread");

        byte[] payload = "jvirt virtio-net echo".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        guest.send(NetFrames.echoRequest(MAC, GUEST_IP, hostMac, HOST_IP, 0x4a56, 1, payload));
        byte[] echo = await(p -> NetFrames.ethertype(p) == 0x0800 && p[NetFrames.HDR + 14 + 9] == 1
                && p[NetFrames.HDR + 34] == 0);
        assertNotNull(echo, "ICMP echo reply from 10.77.0.1");
        int icmp = NetFrames.HDR + 14 + 20;
        assertEquals(0x4a56, ((echo[icmp + 4] & 0xff) << 8) | (echo[icmp + 5] & 0xff), "echo id");
        assertArrayEquals(payload, NetFrames.slice(echo, icmp + 8, payload.length));
        assertEquals(0, NetFrames.checksum(echo, icmp, echo.length - icmp), "ICMP checksum valid");
        String stats = ns.ip("-s", "link", "show", tap.name());
        assertTrue(stats.contains("RX"), stats);
    }

    @Test
    void hostileTxAndTinyRxBuffersFailOnlyThoseRequests() throws Exception {
        assertTrue(guest.start(bit(Virtio.F_VERSION_1) | bit(NetDevice.F_MAC)));
        guest.send(new byte[5]); // shorter than the vnet header
        List<int[]> used = guest.tx.takeUsed();
        assertEquals(1, used.size());
        assertEquals(0, used.getFirst()[1]);
        assertEquals(0, dev.status() & Virtio.DEVICE_NEEDS_RESET);
        // A descriptor pointing outside RAM: the queue fails the chain, the device carries on.
        long d = guest.tx.desc + 16L * 5;
        guest.mem.writeLong(d, MEM + 0x1000);
        guest.mem.writeInt(d + 8, 64);
        guest.mem.writeShort(guest.tx.avail + 4 + 2L * (guest.tx.availIdx % NetGuest.SIZE), (short) 5);
        guest.tx.availIdx++;
        guest.mem.writeShort(guest.tx.avail + 2, (short) guest.tx.availIdx);
        guest.tx.kick();
        assertEquals(1, guest.tx.takeUsed().size());
        // Still working: ARP goes out and comes back.
        guest.send(NetFrames.arpRequest(MAC, GUEST_IP, HOST_IP));
        assertNotNull(await(p -> NetFrames.ethertype(p) == 0x0806 && p[NetFrames.HDR + 21] == 2));
    }

    /** A TCP SYN from the namespace to the guest, as the guest receives it. */
    private byte[] synFromHost() throws InterruptedException {
        ns.ip("neigh", "replace", "10.77.0.2", "lladdr", "52:54:00:12:34:56", "dev", tap.name());
        Thread.ofPlatform().daemon().start(() -> {
            try {
                ns.exec("sh", "-c", "timeout 3 busybox nc -w 2 10.77.0.2 7 </dev/null || true");
            } catch (RuntimeException e) {
                // the namespace may be gone by the time nc gives up
            }
        });
        byte[] syn = await(p -> NetFrames.ethertype(p) == 0x0800 && p[NetFrames.HDR + 14 + 9] == 6);
        assertNotNull(syn, "TCP SYN from 10.77.0.1");
        return syn;
    }

    @Test
    void guestChecksumOffloadBecomesTapOffload() throws Exception {
        assertTrue(guest.start(bit(Virtio.F_VERSION_1) | bit(NetDevice.F_MAC) | bit(NetDevice.F_CSUM)
                | bit(NetDevice.F_GUEST_CSUM) | bit(NetDevice.F_GUEST_TSO4) | bit(NetDevice.F_GUEST_TSO6)));
        byte[] syn = synFromHost();
        // TUN_F_CSUM on: the host leaves the TCP checksum to the guest (5.1.6.4 VIRTIO_NET_HDR_F_NEEDS_CSUM).
        assertEquals(1, syn[0] & 1, "flags NEEDS_CSUM");
        int csumStart = (syn[6] & 0xff) | (syn[7] & 0xff) << 8;
        int csumOffset = (syn[8] & 0xff) | (syn[9] & 0xff) << 8;
        assertEquals(14 + 20, csumStart, "checksum starts at the TCP header");
        assertEquals(16, csumOffset, "TCP checksum field offset");
    }

    @Test
    void withoutGuestChecksumTheHostCompletesChecksums() throws Exception {
        assertTrue(guest.start(bit(Virtio.F_VERSION_1) | bit(NetDevice.F_MAC)));
        byte[] syn = synFromHost();
        assertEquals(0, syn[0] & 1, "no NEEDS_CSUM without GUEST_CSUM");
        // TCP checksum over the pseudo-header and segment is valid (sums to zero).
        int ip = NetFrames.HDR + 14;
        int tcpLen = (((syn[ip + 2] & 0xff) << 8) | (syn[ip + 3] & 0xff)) - 20;
        byte[] pseudo = new byte[12 + tcpLen];
        System.arraycopy(syn, ip + 12, pseudo, 0, 8);
        pseudo[9] = 6;
        pseudo[10] = (byte) (tcpLen >> 8);
        pseudo[11] = (byte) tcpLen;
        System.arraycopy(syn, ip + 20, pseudo, 12, tcpLen);
        assertEquals(0, NetFrames.checksum(pseudo, 0, pseudo.length), "TCP checksum complete");
    }

    private static boolean isArpReply(byte[] p) {
        return NetFrames.ethertype(p) == 0x0806 && p[NetFrames.HDR + 21] == 2;
    }

    @Test
    void framesWaitForRxBuffersAndTooSmallBuffersDropOnlyTheirFrame() throws Exception {
        assertTrue(guest.start(bit(Virtio.F_VERSION_1) | bit(NetDevice.F_MAC), 0));
        guest.send(NetFrames.arpRequest(MAC, GUEST_IP, HOST_IP));
        Thread.sleep(300); // the reply reaches the TAP and finds no RX buffer
        assertEquals(0, guest.rx.usedIdx());
        guest.rx.post(0, 20, true); // smaller than header + 42-byte ARP reply
        guest.rx.post(1, NetGuest.RX_BUF, true);
        guest.rx.kick();
        List<int[]> used = guest.rx.takeUsed();
        assertEquals(1, used.size(), "the waiting reply was dropped with the buffer it did not fit");
        assertArrayEquals(new int[] {0, 0}, used.getFirst());
        assertEquals(0, dev.status() & Virtio.DEVICE_NEEDS_RESET);
        guest.send(NetFrames.arpRequest(MAC, GUEST_IP, HOST_IP));
        long end = System.nanoTime() + 10_000_000_000L;
        byte[] reply = null;
        while (reply == null && System.nanoTime() < end) {
            for (int[] e : guest.rx.takeUsed()) {
                assertEquals(1, e[0], "next frame lands in the buffer still posted");
                reply = guest.mem.read(guest.rx.buffer(e[0]), e[1]);
            }
            Thread.sleep(10);
        }
        assertNotNull(reply, "second ARP reply");
        assertTrue(isArpReply(reply));
    }

    @Test
    void mergeableRxBuffersCarryABigFrameInSeveralChains() throws Exception {
        long features = bit(Virtio.F_VERSION_1) | bit(NetDevice.F_MAC) | bit(NetDevice.F_MRG_RXBUF);
        assertTrue((guest.deviceFeatures() & bit(NetDevice.F_MRG_RXBUF)) != 0, "MRG_RXBUF offered");
        assertTrue(guest.start(features, 0));
        final int small = 128;
        for (int i = 0; i < NetGuest.SIZE; i++) {
            guest.rx.post(i, small, true); // Linux posts page fragments; here much smaller than a frame
        }
        guest.rx.kick();
        guest.send(NetFrames.arpRequest(MAC, GUEST_IP, HOST_IP));
        byte[] arp = null;
        long end = System.nanoTime() + 10_000_000_000L;
        while (arp == null && System.nanoTime() < end) {
            arp = mergedFrame(small, p -> isArpReply(p));
            Thread.sleep(10);
        }
        assertNotNull(arp, "ARP reply");
        byte[] hostMac = NetFrames.slice(arp, NetFrames.HDR + 22, 6);
        byte[] payload = new byte[1000];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 7);
        }
        guest.send(NetFrames.echoRequest(MAC, GUEST_IP, hostMac, HOST_IP, 0x4d52, 1, payload));
        byte[] echo = null;
        end = System.nanoTime() + 10_000_000_000L;
        while (echo == null && System.nanoTime() < end) {
            echo = mergedFrame(small, p -> NetFrames.ethertype(p) == 0x0800 && p[NetFrames.HDR + 34] == 0);
            Thread.sleep(10);
        }
        assertNotNull(echo, "ICMP echo reply of a 1000-byte ping, spread over 128-byte buffers");
        int buffers = (echo[NetDevice.NUM_BUFFERS_OFFSET] & 0xff) | (echo[NetDevice.NUM_BUFFERS_OFFSET + 1] & 0xff) << 8;
        assertEquals((echo.length + small - 1) / small, buffers, "num_buffers counts the chains the frame filled");
        int icmp = NetFrames.HDR + 14 + 20;
        assertArrayEquals(payload, NetFrames.slice(echo, icmp + 8, payload.length), "payload intact across buffers");
        assertEquals(0, NetFrames.checksum(echo, icmp, echo.length - icmp), "ICMP checksum valid");
    }

    /**
     * Takes the used RX entries; returns the first frame {@code match} accepts, reassembled from
     * num_buffers consecutive entries (every buffer goes back to the device, {@code size} bytes).
     */
    private byte[] mergedFrame(int size, Predicate<byte[]> match) {
        guest.write(MmioTransport.INTERRUPT_ACK, guest.read(MmioTransport.INTERRUPT_STATUS));
        List<int[]> used = guest.rx.takeUsed();
        byte[] found = null;
        for (int i = 0; i < used.size(); ) {
            byte[] first = guest.mem.read(guest.rx.buffer(used.get(i)[0]), used.get(i)[1]);
            int n = (first[NetDevice.NUM_BUFFERS_OFFSET] & 0xff) | (first[NetDevice.NUM_BUFFERS_OFFSET + 1] & 0xff) << 8;
            assertTrue(n >= 1 && i + n <= used.size(), "all " + n + " buffers of a frame are used together");
            java.io.ByteArrayOutputStream frame = new java.io.ByteArrayOutputStream();
            for (int k = 0; k < n; k++) {
                int[] e = used.get(i + k);
                frame.writeBytes(guest.mem.read(guest.rx.buffer(e[0]), e[1]));
                assertTrue(k == n - 1 || e[1] == size, "every buffer but the last is full");
            }
            if (found == null && match.test(frame.toByteArray())) {
                found = frame.toByteArray();
            }
            i += n;
        }
        for (int[] e : used) {
            guest.rx.post(e[0], size, true);
        }
        if (!used.isEmpty()) {
            guest.rx.kick();
        }
        return found;
    }

    /**
     * Posted receive buffers are no work while the TAP is idle: the I/O thread that serves the
     * RX kick must not ring itself again (it did, and polled the TAP on a full core for as long
     * as the guest had buffers posted, which was always).
     */
    @Test
    void anIdleReceiveQueueDoesNotRingItsOwnDoorbell() {
        AtomicInteger rings = new AtomicInteger();
        VirtioMmio withDoorbell = VirtioMmio.create(net, mem, new IrqLine() {
            @Override
            public void set(boolean high) {
            }
        }, rings::incrementAndGet);
        NetGuest g = new NetGuest(withDoorbell, mem);
        assertTrue(g.start(bit(Virtio.F_VERSION_1) | bit(NetDevice.F_MAC)));
        assertEquals(1, rings.get(), "the driver's RX kick rings the doorbell");
        for (int i = 0; i < 3; i++) {
            withDoorbell.notifyQueues(); // what the I/O thread does for a ring
        }
        assertEquals(1, rings.get(), "serving an RX queue with nothing to receive rang the doorbell again");
    }

    @Test
    void badMacsAreRefusedByName() {
        var e = assertThrows(IllegalArgumentException.class, () -> VirtioDevice.net(tap, new byte[] {1, 0, 0, 0, 0, 1}));
        assertTrue(e.getMessage().contains("01:00:00:00:00:01") && e.getMessage().contains(tap.name()), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> VirtioDevice.net(tap, new byte[5]));
    }
}
