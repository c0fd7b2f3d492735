package io.jvirt.vmm.devices;

/**
 * A device that takes the bytes typed on the host console: the UART (COM1) or the virtio
 * console (hvc0). The console's input thread calls {@link #receive} for each byte, then
 * {@link #inputDone()} after a burst, so a device that batches (virtio) hands the bytes over
 * once. Safe to call from any thread.
 */
public interface ConsoleInput {

    /**
     * Offers one byte. Returns false when the device has no room now; the caller calls
     * {@link #inputDone()}, waits a little and offers the same byte again (no byte is lost).
     */
    boolean receive(byte b);

    /** The end of a burst of {@link #receive} calls: deliver what was taken. */
    default void inputDone() {
    }

    /** The host terminal is now {@code columns} x {@code rows}; devices that can tell the guest do. */
    default void resize(int columns, int rows) {
    }
}
