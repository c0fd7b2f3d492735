package io.jvirt.vmm.devices;

/**
 * A device register window on an {@link IoBus}: port I/O or MMIO. Offsets are relative to
 * the base address the device was registered at. {@code size} is 1, 2, 4 or 8 bytes.
 * Reads return the value zero-extended in the low {@code size} bytes.
 *
 * <p>Called on vCPU threads. A device must not block here for long and must not throw for
 * any guest-chosen offset, size or value: unknown registers read as all-ones or zero and
 * ignore writes, the way hardware does.
 */
public interface BusDevice {

    long read(long offset, int size);

    void write(long offset, int size, long value);
}
