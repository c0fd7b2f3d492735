package io.jvirt.vmm.devices.virtio;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded hostile TX traffic into a real TAP (in a namespace this test creates; root needed):
 * random chains of random lengths, addresses partly outside RAM, random vnet headers the
 * kernel may refuse, descriptor loops. Every request is completed, nothing throws, the device
 * never needs a reset (the rings stay sane), and afterwards ARP still works.
 */
class NetFuzzTest {
    private static final byte[] MAC = {0x52, 0x54, 0x00, 0x12, 0x34, 0x57};
    private static final long MEM = 16L << 20;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void hostileTxNeverBreaksTheDevice(long seed) throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "/dev/net/tun missing (modprobe tun)");
        assumeTrue("root".equals(System.getProperty("user.name")), "TAPs and network namespaces need root");
        String tag = "jvfz" + ProcessHandle.current().pid() % 100000 + seed;
        Random rnd = new Random(seed);
        try (Netns ns = Netns.create(tag); Tap tap = Tap.open(tag + "t"); HostMemory host = HostMemory.allocate(MEM)) {
            ns.exec("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
            ns.adopt(tap.name());
            ns.address(tap.name(), "10.79.0.1/24");
            GuestMemory mem = GuestRam.over(host, MEM);
            VirtioDevice net = VirtioDevice.net(tap, MAC);
            try {
                fuzz(rnd, mem, net);
            } finally {
                net.close(); // before the TAP and guest memory go (its I/O thread writes RX frames into RAM)
            }
        }
    }

    private static void fuzz(Random rnd, GuestMemory mem, VirtioDevice net) throws InterruptedException {
        VirtioMmio dev = VirtioMmio.create(net, mem, new IrqLine() {
            @Override
            public void set(boolean high) {
            }
        });
        NetGuest g = new NetGuest(dev, mem);
        long features = (1L << Virtio.F_VERSION_1) | (1L << NetDevice.F_MAC) | (1L << NetDevice.F_CSUM)
                | (1L << NetDevice.F_HOST_TSO4) | (1L << NetDevice.F_HOST_TSO6) | (1L << NetDevice.F_GUEST_CSUM);
        assertTrue(g.start(features));
        int completed = 0;
        for (int i = 0; i < 600; i++) {
            int head = (i * 4) % NetGuest.SIZE;
            int chain = 1 + rnd.nextInt(4);
            for (int k = 0; k < chain; k++) {
                int d = (head + k) % NetGuest.SIZE;
                long addr = rnd.nextInt(10) == 0 ? MEM - 100 + rnd.nextInt(200) : g.tx.buffers + rnd.nextInt(1 << 20);
                int len = switch (rnd.nextInt(4)) {
                    case 0 -> rnd.nextInt(12);
                    case 1 -> 12 + rnd.nextInt(1500);
                    case 2 -> rnd.nextInt(70_000);
                    default -> 54;
                };
                byte[] junk = new byte[Math.min(len, 2048)];
                rnd.nextBytes(junk);
                if (addr + junk.length <= MEM) {
                    mem.write(addr, junk);
                }
                int flags = (k + 1 < chain ? Virtio.VIRTQ_DESC_F_NEXT : 0) | (rnd.nextInt(8) == 0 ? Virtio.VIRTQ_DESC_F_WRITE : 0);
                int next = rnd.nextInt(16) == 0 ? head : (d + 1) % NetGuest.SIZE; // sometimes a loop
                long at = g.tx.desc + 16L * d;
                mem.writeLong(at, addr);
                mem.writeInt(at + 8, len);
                mem.writeShort(at + 12, (short) flags);
                mem.writeShort(at + 14, (short) next);
            }
            mem.writeShort(g.tx.avail + 4 + 2L * (g.tx.availIdx % NetGuest.SIZE), (short) head);
            g.tx.availIdx = (g.tx.availIdx + 1) & 0xffff;
            mem.writeShort(g.tx.avail + 2, (short) g.tx.availIdx);
            g.tx.kick();
            completed += g.tx.takeUsed().size();
            g.receive(); // keep RX buffers flowing whatever the kernel answers
        }
        assertEquals(600, completed, "every TX request completed");
        assertEquals(0, dev.status() & Virtio.DEVICE_NEEDS_RESET, "rings intact, device healthy");
        g.send(NetFrames.arpRequest(MAC, new byte[] {10, 79, 0, 2}, new byte[] {10, 79, 0, 1}));
        boolean answered = false;
        for (long end = System.nanoTime() + 10_000_000_000L; !answered && System.nanoTime() < end; Thread.sleep(10)) {
            for (byte[] p : g.receive()) {
                answered |= NetFrames.ethertype(p) == 0x0806 && p[NetFrames.HDR + 21] == 2;
            }
        }
        assertTrue(answered, "ARP still answered after the fuzz");
    }
}
