package io.jvirt.vmm.devices.virtio;

import java.nio.file.Path;

/**
 * Device semantics of one virtio device (virtio 1.2 §5), independent of the transport: its
 * device ID, feature bits, configuration space and what it does with requests. The transport
 * ({@link VirtioMmio}) owns negotiation, queues, interrupts and status, and calls in here with
 * its lock held, so implementations need no locking of their own against the transport.
 *
 * <p>Requests come from {@link VirtioQueue#next()} already walked and bounds-checked;
 * malformed chains never reach the device (the queue fails them itself).
 */
public interface VirtioDevice {

    /** Device ID, virtio 1.2 §5 (e.g. 4 = entropy source). */
    int deviceId();

    /** Device-specific feature bits offered (the transport adds VERSION_1, INDIRECT_DESC, EVENT_IDX). */
    long features();

    int queueCount();

    /** Largest queue size the device accepts on every queue; a power of two ≤ 32768. */
    int queueMaxSize();

    /** Bytes of device configuration space (at MMIO offset 0x100). */
    default int configSize() {
        return 0;
    }

    /** Reads {@code size} bytes at {@code offset} of the configuration space (in range). */
    default long readConfig(int offset, int size) {
        return 0;
    }

    /** Writes configuration space (in range); read-only fields ignore writes. */
    default void writeConfig(int offset, int size, long value) {
    }

    /** The driver set DRIVER_OK: {@code features} (transport and device bits) are final. */
    default void activate(long features) {
    }

    /** The driver notified queue {@code index}: take and complete the requests it holds. */
    void process(int index, VirtioQueue queue);

    /**
     * Whether the buffers the driver has made available on queue {@code index}, right after
     * {@link #process}, are work for the device. They are on queues the device empties as they
     * fill (transmit, requests): the default. They are not on a receive queue while the device
     * has nothing to put in it: its buffers wait for data, and the device has the queue
     * processed again when data arrives. The transport processes a queue again while this holds
     * and buffers remain, so a receive queue that answered true would be polled without end.
     */
    default boolean buffersAreWork(int index) {
        return true;
    }

    /** Device reset (status written 0): forget all driver-visible state. */
    default void reset() {
    }

    /**
     * Called once by the transport made over this device ({@link VirtioMmio#create}). A device
     * with work arriving from outside (a TAP's frames) keeps it to call
     * {@link VirtioMmio#notifyQueue} from its own I/O thread, so its requests are still completed
     * inside {@link #process} under the transport's lock.
     */
    default void attach(VirtioMmio transport) {
    }

    /** Stops the device's own threads, if any; the caller still owns the backend (disk, TAP). */
    default void close() {
    }

    /**
     * virtio-blk (§5.2) over {@code disk} (read-only disks offer VIRTIO_BLK_F_RO); {@code serial}
     * is what GET_ID returns (up to 20 bytes, /sys/block/vdX/serial in Linux). The caller keeps
     * ownership of {@code disk} and closes it after the machine stops.
     */
    static VirtioDevice blk(io.jvirt.block.BlockDevice disk, String serial) {
        return new BlkDevice(disk, serial);
    }

    /**
     * virtio-net (§5.1) on {@code tap} with MAC address {@code mac} (6 bytes, unicast; see
     * {@code io.jvirt.net.Nic#macBytes}): the
     * vnet header goes to the TAP as it is, offloads follow what the guest negotiates. An I/O
     * thread starts at DRIVER_OK; {@link #close()} stops it. The caller keeps ownership of
     * {@code tap} and closes it after the machine stops.
     */
    static VirtioDevice net(io.jvirt.sys.Tap tap, byte[] mac) {
        return new NetDevice(tap, mac);
    }

    /**
     * virtio-console (§5.3) with one port (hvc0): the guest's output goes to {@code out}
     * (not closed here), host input is offered through {@link VirtioConsole#receive}.
     */
    static VirtioConsole console(java.io.OutputStream out) {
        return new HvcDevice(out);
    }

    /** virtio-rng (§5.4) reading host entropy from /dev/urandom. */
    static VirtioDevice rng() {
        return new RngDevice(Path.of("/dev/urandom"));
    }
}
