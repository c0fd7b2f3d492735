package io.jvirt.vmm.devices.virtio;

import java.nio.ByteBuffer;

/** Ethernet/ARP/IPv4/ICMP frames for the virtio-net tests, each behind a zero virtio_net_hdr_v1. */
final class NetFrames {
    static final int HDR = 12;
    static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};

    private NetFrames() {
    }

    /** ARP request (RFC 826) "who has {@code target}? tell {@code ip}/{@code mac}". */
    static byte[] arpRequest(byte[] mac, byte[] ip, byte[] target) {
        ByteBuffer b = ByteBuffer.allocate(HDR + 14 + 28);
        b.position(HDR).put(BROADCAST).put(mac).putShort((short) 0x0806);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
        b.put(mac).put(ip).put(new byte[6]).put(target);
        return b.array();
    }

    /** ICMP echo request (RFC 792) from mac/ip to dstMac/dst with {@code id}, {@code seq} and {@code payload}. */
    static byte[] echoRequest(byte[] mac, byte[] ip, byte[] dstMac, byte[] dst, int id, int seq, byte[] payload) {
        int icmpLen = 8 + payload.length;
        ByteBuffer b = ByteBuffer.allocate(HDR + 14 + 20 + icmpLen);
        b.position(HDR).put(dstMac).put(mac).putShort((short) 0x0800);
        int ipAt = b.position();
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + icmpLen)).putShort((short) id).putShort((short) 0x4000)
                .put((byte) 64).put((byte) 1).putShort((short) 0).put(ip).put(dst);
        b.putShort(ipAt + 10, checksum(b.array(), ipAt, 20));
        int icmpAt = b.position();
        b.put((byte) 8).put((byte) 0).putShort((short) 0).putShort((short) id).putShort((short) seq).put(payload);
        b.putShort(icmpAt + 2, checksum(b.array(), icmpAt, icmpLen));
        return b.array();
    }

    /** The Internet checksum (RFC 1071). */
    static short checksum(byte[] a, int off, int len) {
        long sum = 0;
        for (int i = 0; i < len; i += 2) {
            sum += ((a[off + i] & 0xff) << 8) | (i + 1 < len ? a[off + i + 1] & 0xff : 0);
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (short) ~sum;
    }

    static int ethertype(byte[] p) {
        return p.length >= HDR + 14 ? ((p[HDR + 12] & 0xff) << 8) | (p[HDR + 13] & 0xff) : -1;
    }

    static byte[] slice(byte[] p, int from, int len) {
        return java.util.Arrays.copyOfRange(p, from, from + len);
    }
}
