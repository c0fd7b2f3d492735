package io.jvirt.vmm.memory;

/** An access to guest-physical memory that is not RAM or runs past the end of a RAM region. */
public final class GuestMemoryException extends RuntimeException {
    private final long address;
    private final long length;

    public GuestMemoryException(long address, long length) {
        super(String.format("guest-physical access of %d bytes at 0x%x is outside RAM", length, address));
        this.address = address;
        this.length = length;
    }

    public long address() {
        return address;
    }

    public long length() {
        return length;
    }
}
