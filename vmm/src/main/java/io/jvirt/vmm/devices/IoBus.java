package io.jvirt.vmm.devices;

/**
 * Address-range dispatch for one address space: x86 port I/O (16-bit ports) or MMIO
 * (guest-physical addresses). Ranges never overlap; registering an overlapping range fails.
 * An access that hits no device reads as all-ones and its write is dropped, like an
 * unclaimed ISA/PCI cycle.
 */
public interface IoBus {

    static IoBus create(String name) {
        return new RangeBus(name);
    }

    /** Registers {@code device} for [{@code base}, {@code base + length}). */
    void register(long base, long length, BusDevice device);

    /** Reads {@code size} bytes at {@code address}; all-ones when no device claims it. */
    long read(long address, int size);

    /** Writes {@code size} bytes at {@code address}; dropped when no device claims it. */
    void write(long address, int size, long value);

    /** True when some device claims {@code address}. */
    boolean claims(long address);
}
