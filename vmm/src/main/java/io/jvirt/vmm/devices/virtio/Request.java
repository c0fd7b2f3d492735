package io.jvirt.vmm.devices.virtio;

import io.jvirt.vmm.memory.GuestMemory;
import java.util.List;

/**
 * One walked descriptor chain (virtio 1.2 §2.7.5): the device-readable buffers, then the
 * device-writable ones, every one a RAM range checked with {@link GuestMemory#backingOffset}.
 * {@code head} is the chain's first descriptor index, returned in the used ring.
 */
public record Request(int head, List<Buffer> readable, List<Buffer> writable) {

    /** A guest-physical buffer of {@code length} bytes, all RAM (lengths are at most 2^32-1). */
    public record Buffer(long address, long length) {
    }

    public Request {
        readable = List.copyOf(readable);
        writable = List.copyOf(writable);
    }

    public long readableLength() {
        return readable.stream().mapToLong(Buffer::length).sum();
    }

    public long writableLength() {
        return writable.stream().mapToLong(Buffer::length).sum();
    }

    /** Gathers up to {@code max} bytes of the readable buffers. */
    public byte[] read(GuestMemory memory, int max) {
        byte[] out = new byte[(int) Math.min(max, readableLength())];
        int done = 0;
        for (Buffer b : readable) {
            if (done == out.length) {
                break;
            }
            int n = (int) Math.min(b.length(), out.length - done);
            memory.read(b.address(), out, done, n);
            done += n;
        }
        return out;
    }

    /** Scatters {@code data[offset, offset+length)} over the writable buffers; returns bytes written. */
    public int write(GuestMemory memory, byte[] data, int offset, int length) {
        int done = 0;
        for (Buffer b : writable) {
            if (done == length) {
                break;
            }
            int n = (int) Math.min(b.length(), length - done);
            memory.write(b.address(), data, offset + done, n);
            done += n;
        }
        return done;
    }
}
