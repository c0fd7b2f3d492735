package io.jvirt.vmm.devices.virtio;

import io.jvirt.sys.Epoll;
import io.jvirt.sys.EventFd;
import io.jvirt.sys.SysException;
import io.jvirt.sys.Tap;
import java.util.HexFormat;
import java.util.Objects;

/**
 * virtio-net (virtio 1.2 §5.1) on a host {@link Tap}: device ID 1, queue 0 receives, queue 1
 * transmits, no control queue. The 12-byte struct virtio_net_hdr_v1 (§5.1.6) that leads every
 * buffer is passed through to the TAP unchanged (the TAP runs with IFF_VNET_HDR and the same
 * header size), so checksum and TSO offloads cost nothing here: the guest's RX offloads
 * (GUEST_CSUM, GUEST_TSO4/6, GUEST_ECN) become TUNSETOFFLOAD bits at DRIVER_OK.
 *
 * <p>TX runs where notifications are served (in a machine, the device's {@link VirtioThread}).
 * RX: a second I/O thread waits (epoll, edge-triggered) on the TAP and calls {@link VirtioMmio#notifyQueue} for queue 0, so RX, like TX, runs under the
 * transport's lock in {@link #process}; a guest that posts RX buffers notifies queue 0 and the
 * same code drains what the TAP holds. A frame that finds no RX buffer waits in the device (one
 * frame; the TAP queues the rest). Without VIRTIO_NET_F_MRG_RXBUF a frame that does not fit the
 * guest's buffer is dropped; with it (§5.1.6.4.2) a frame fills as many receive chains as it
 * needs, their count in the header's num_buffers, and their used entries appear together.
 */
final class NetDevice implements VirtioDevice {
    private static final System.Logger LOG = System.getLogger(NetDevice.class.getName());

    /** Network card device ID, §5.1.1. */
    static final int DEVICE_ID = 1;
    static final int RX = 0;
    static final int TX = 1;
    static final int QUEUE_SIZE = 256;

    // Feature bits, §5.1.3.
    static final int F_CSUM = 0;
    static final int F_GUEST_CSUM = 1;
    static final int F_MAC = 5;
    static final int F_GUEST_TSO4 = 7;
    static final int F_GUEST_TSO6 = 8;
    static final int F_GUEST_ECN = 9;
    static final int F_HOST_TSO4 = 11;
    static final int F_HOST_TSO6 = 12;
    static final int F_HOST_ECN = 13;
    static final int F_MRG_RXBUF = 15;
    static final int F_STATUS = 16;
    /** Configuration status bit, §5.1.4. */
    static final int S_LINK_UP = 1;
    /** struct virtio_net_config up to and including status (mac[6], le16 status), §5.1.4. */
    static final int CONFIG_SIZE = 8;
    /** Offset of virtio_net_hdr_v1.num_buffers, §5.1.6: 1 when MRG_RXBUF is not negotiated. */
    static final int NUM_BUFFERS_OFFSET = 10;

    private final Tap tap;
    private final byte[] mac;
    private final LogLimiter warnings = new LogLimiter(LOG);
    private final byte[] rxBuf = new byte[Tap.MAX_PACKET];
    private final byte[] txBuf = new byte[Tap.MAX_PACKET];
    private VirtioMmio transport;
    /** Length of the frame in {@link #rxBuf} that is waiting for a buffer, or 0. */
    private int rxPending;
    /** VIRTIO_NET_F_MRG_RXBUF negotiated: a frame may fill several receive chains (§5.1.6.4). */
    private boolean mergeable;
    /** Receive chains taken for the pending frame while more are needed (mergeable only). */
    private final java.util.List<Request> held = new java.util.ArrayList<>();
    private long heldBytes;
    private volatile Thread ioThread;
    private volatile EventFd stop;

    NetDevice(Tap tap, byte[] mac) {
        this.tap = Objects.requireNonNull(tap, "tap");
        if (mac.length != 6 || (mac[0] & 1) != 0) {
            throw new IllegalArgumentException("virtio-net on " + tap.name() + ": MAC " + HexFormat.ofDelimiter(":").formatHex(mac)
                    + " is not a unicast Ethernet address; use e.g. 52:54:00:12:34:56");
        }
        this.mac = mac.clone();
    }

    @Override
    public int deviceId() {
        return DEVICE_ID;
    }

    @Override
    public long features() {
        return bit(F_CSUM) | bit(F_GUEST_CSUM) | bit(F_MAC) | bit(F_GUEST_TSO4) | bit(F_GUEST_TSO6) | bit(F_GUEST_ECN)
                | bit(F_HOST_TSO4) | bit(F_HOST_TSO6) | bit(F_HOST_ECN) | bit(F_STATUS) | bit(F_MRG_RXBUF);
    }

    private static long bit(int b) {
        return 1L << b;
    }

    @Override
    public int queueCount() {
        return 2;
    }

    @Override
    public int queueMaxSize() {
        return QUEUE_SIZE;
    }

    @Override
    public int configSize() {
        return CONFIG_SIZE;
    }

    @Override
    public long readConfig(int offset, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            int at = offset + i;
            int b = at < 6 ? mac[at] & 0xff : at == 6 ? S_LINK_UP : 0;
            v = (v << 8) | b;
        }
        return v;
    }

    @Override
    public void attach(VirtioMmio transport) {
        this.transport = transport;
    }

    @Override
    public void activate(long features) {
        mergeable = Virtio.has(features, F_MRG_RXBUF);
        int offload = 0;
        if (Virtio.has(features, F_GUEST_CSUM)) {
            offload |= Tap.OFFLOAD_CSUM;
            offload |= Virtio.has(features, F_GUEST_TSO4) ? Tap.OFFLOAD_TSO4 : 0;
            offload |= Virtio.has(features, F_GUEST_TSO6) ? Tap.OFFLOAD_TSO6 : 0;
            if ((offload & (Tap.OFFLOAD_TSO4 | Tap.OFFLOAD_TSO6)) != 0 && Virtio.has(features, F_GUEST_ECN)) {
                offload |= Tap.OFFLOAD_TSO_ECN;
            }
        }
        LOG.log(System.Logger.Level.DEBUG, "virtio-net {0}: features 0x{1}, TAP offloads 0x{2}", tap.name(),
                Long.toHexString(features), Integer.toHexString(offload));
        try {
            tap.setOffload(offload);
        } catch (SysException e) {
            warnings.warn("virtio-net {0}: TUNSETOFFLOAD 0x{1} refused ({2}); the guest may see no offloaded frames",
                    tap.name(), Integer.toHexString(offload), e.getMessage());
        }
        startIoThread();
    }

    @Override
    public void process(int index, VirtioQueue queue) {
        if (index == TX) {
            transmit(queue);
        } else if (index == RX) {
            receive(queue);
        }
    }

    /** Receive buffers are work only for a frame waiting for them; otherwise they wait for the TAP. */
    @Override
    public boolean buffersAreWork(int index) {
        return index != RX || rxPending != 0;
    }

    private void transmit(VirtioQueue queue) {
        for (Request r = queue.next(); r != null; r = queue.next()) {
            long len = r.readableLength();
            if (len < Tap.VNET_HDR_SIZE || len > Tap.MAX_PACKET) {
                warnings.warn("virtio-net {0}: TX request of {1} bytes is not a header plus a frame (12..{2}); dropped",
                        tap.name(), len, Tap.MAX_PACKET);
            } else {
                int n = r.readAt(queue.memory(), 0, txBuf, 0, (int) len);
                try {
                    if (!tap.write(txBuf, 0, n)) {
                        LOG.log(System.Logger.Level.DEBUG, "virtio-net {0}: TAP queue full, frame dropped", tap.name());
                    }
                } catch (SysException e) {
                    warnings.warn("virtio-net {0}: TAP refused a {1}-byte frame: {2}", tap.name(), n, e.getMessage());
                }
            }
            queue.complete(r, 0);
        }
    }

    private void receive(VirtioQueue queue) {
        while (true) {
            if (rxPending == 0) {
                int n;
                try {
                    n = tap.read(rxBuf);
                } catch (SysException | IllegalStateException e) {
                    warnings.warn("virtio-net {0}: reading the TAP failed: {1}", tap.name(), e.getMessage());
                    return;
                }
                if (n < 0) {
                    return; // EAGAIN: the edge-triggered I/O thread hears of the next frame
                }
                if (n < Tap.VNET_HDR_SIZE) {
                    continue;
                }
                rxPending = n;
            }
            if (mergeable) {
                if (!receiveMerged(queue)) {
                    return;
                }
                continue;
            }
            Request r = queue.next();
            if (r == null) {
                return; // keep the frame; the driver notifies queue 0 when it adds buffers
            }
            if (r.writableLength() < rxPending) {
                warnings.warn("virtio-net {0}: {1}-byte frame does not fit a {2}-byte RX buffer; frame dropped",
                        tap.name(), rxPending, r.writableLength());
                rxPending = 0;
                queue.complete(r, 0);
                continue;
            }
            rxBuf[NUM_BUFFERS_OFFSET] = 1;
            rxBuf[NUM_BUFFERS_OFFSET + 1] = 0;
            queue.complete(r, r.writeAt(queue.memory(), 0, rxBuf, 0, rxPending));
            rxPending = 0;
        }
    }

    /**
     * Spreads the pending frame over as many receive chains as it needs, num_buffers in the
     * first one's header (§5.1.6.4.2), all completed together. Returns false when the driver
     * has posted too few buffers yet (the chains taken so far wait with the frame).
     */
    private boolean receiveMerged(VirtioQueue queue) {
        while (heldBytes < rxPending) {
            if (held.size() == QUEUE_SIZE) {
                warnings.warn("virtio-net {0}: {1}-byte frame does not fit {2} RX buffers of {3} bytes; frame dropped",
                        tap.name(), rxPending, held.size(), heldBytes);
                queue.complete(held, new int[held.size()]);
                held.clear();
                heldBytes = 0;
                rxPending = 0;
                return true;
            }
            Request r = queue.next();
            if (r == null) {
                return false;
            }
            held.add(r);
            heldBytes += r.writableLength();
        }
        int[] written = new int[held.size()];
        rxBuf[NUM_BUFFERS_OFFSET] = (byte) held.size();
        rxBuf[NUM_BUFFERS_OFFSET + 1] = (byte) (held.size() >>> 8);
        int done = 0;
        for (int i = 0; i < held.size() && done < rxPending; i++) {
            Request r = held.get(i);
            int n = r.writeAt(queue.memory(), 0, rxBuf, done, (int) Math.min(r.writableLength(), rxPending - done));
            written[i] = n;
            done += n;
        }
        queue.complete(held, written);
        held.clear();
        heldBytes = 0;
        rxPending = 0;
        return true;
    }

    @Override
    public void reset() {
        rxPending = 0;
        held.clear(); // the driver's reset took the chains back
        heldBytes = 0;
        mergeable = false;
    }

    private void startIoThread() {
        if (ioThread != null || transport == null) {
            return;
        }
        stop = EventFd.create(true);
        Epoll epoll = Epoll.create();
        epoll.add(tap.fd(), Epoll.IN | Epoll.EDGE, 0);
        epoll.add(stop.fd(), Epoll.IN, 1);
        VirtioMmio t = transport;
        ioThread = Thread.ofPlatform().daemon().name("virtio-net " + tap.name()).start(() -> {
            try (epoll) {
                while (true) {
                    for (Epoll.Event e : epoll.await(4, -1)) {
                        if (e.data() == 1) {
                            return;
                        }
                        t.notifyQueue(RX);
                    }
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "virtio-net " + tap.name() + ": I/O thread stopped; no more RX", e);
            }
        });
    }

    /** Stops the I/O thread; the caller still owns (and closes) the TAP. */
    @Override
    public void close() {
        Thread t = ioThread;
        if (t != null) {
            stop.write(1);
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stop.close();
        }
    }
}
