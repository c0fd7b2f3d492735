package io.jvirt.sys;

/**
 * A Linux TAP interface opened through /dev/net/tun (Documentation/networking/tuntap.rst):
 * IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, so every frame read or written is preceded by a
 * {@link #VNET_HDR_SIZE}-byte struct virtio_net_hdr_v1 (virtio 1.2 §5.1.6) that carries
 * checksum and segmentation offload state straight between the guest and the host stack.
 *
 * <p>The descriptor is non-blocking: {@link #read} returns -1 and {@link #write} false when the
 * kernel has nothing to give or no room; wait on {@link #fd()} with {@link Epoll} instead.
 * Reads and writes may run on different threads.
 */
public interface Tap extends AutoCloseable {

    /** sizeof(struct virtio_net_hdr_v1): flags, gso_type, hdr_len, gso_size, csum_start, csum_offset, num_buffers. */
    int VNET_HDR_SIZE = 12;
    /** Largest frame plus header read or written: a 64 KiB GSO packet, its Ethernet header and the vnet header. */
    int MAX_PACKET = VNET_HDR_SIZE + 14 + 65535;

    /** TUN_F_CSUM: the TAP may hand us packets with partial checksums (the guest completes them). */
    int OFFLOAD_CSUM = TunConstants.TUN_F_CSUM;
    /** TUN_F_TSO4: TCPv4 segmentation offload (needs CSUM). */
    int OFFLOAD_TSO4 = TunConstants.TUN_F_TSO4;
    /** TUN_F_TSO6: TCPv6 segmentation offload (needs CSUM). */
    int OFFLOAD_TSO6 = TunConstants.TUN_F_TSO6;
    /** TUN_F_TSO_ECN: TSO packets may carry ECN (CWR). */
    int OFFLOAD_TSO_ECN = TunConstants.TUN_F_TSO_ECN;

    /**
     * Opens (creating if needed) TAP {@code name} in the calling thread's network namespace.
     * Needs root or CAP_NET_ADMIN unless the TAP already exists and belongs to this user.
     *
     * @throws IllegalArgumentException when {@code name} is not a valid interface name
     * @throws IllegalStateException with a one-line message naming the TAP and the fix when
     *     /dev/net/tun is missing or the caller may not create or attach the TAP
     */
    static Tap open(String name) {
        return TapImpl.open(name);
    }

    /** The interface name the kernel gave (equal to the requested one). */
    String name();

    /** The descriptor, for {@link Epoll} registration (EPOLLIN: a frame is waiting). */
    int fd();

    /** TUNSETOFFLOAD with {@code OFFLOAD_*} bits: which offloads frames we read may use. */
    void setOffload(int flags);

    /**
     * Reads one packet (vnet header then frame) into {@code buf}; returns its length, or -1 when
     * none is waiting. A packet longer than {@code buf} is truncated by the kernel.
     */
    int read(byte[] buf);

    /**
     * Writes one packet (vnet header then frame); returns false when the TAP's queue is full
     * (the packet is dropped, as a NIC would), true when the kernel took it.
     *
     * @throws SysException when the kernel refuses the packet (e.g. EINVAL for a malformed header)
     */
    boolean write(byte[] buf, int offset, int length);

    /** Closes the descriptor; a non-persistent TAP disappears with it. */
    @Override
    void close();
}
