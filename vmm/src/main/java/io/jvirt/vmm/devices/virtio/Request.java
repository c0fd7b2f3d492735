package io.jvirt.vmm.devices.virtio;

import io.jvirt.vmm.memory.GuestMemory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
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

    /**
     * Copies {@code length} bytes starting {@code offset} bytes into the readable buffers to
     * {@code dst[dstOffset…]}; returns how many there were (fewer at the end of the buffers).
     */
    public int readAt(GuestMemory memory, long offset, byte[] dst, int dstOffset, int length) {
        return copy(memory, readable, offset, dst, dstOffset, length, false);
    }

    /**
     * Copies {@code src[srcOffset…srcOffset+length)} to the writable buffers starting
     * {@code offset} bytes in; returns how many bytes fitted.
     */
    public int writeAt(GuestMemory memory, long offset, byte[] src, int srcOffset, int length) {
        return copy(memory, writable, offset, src, srcOffset, length, true);
    }

    /**
     * Views of guest RAM ({@link GuestMemory#buffer}) over {@code length} bytes of the writable
     * buffers from {@code offset} bytes in (fewer at their end): a device reads a file straight
     * into them, then reports them with {@link #storedWritable}.
     */
    public ByteBuffer[] writableViews(GuestMemory memory, long offset, long length) {
        return views(memory, writable, offset, length);
    }

    /** Tells {@code memory} that the device stored into the range of {@link #writableViews}. */
    public void storedWritable(GuestMemory memory, long offset, long length) {
        pieces(writable, offset, length, memory::stored);
    }

    /** Views of guest RAM over {@code length} bytes of the readable buffers from {@code offset} bytes in. */
    public ByteBuffer[] readableViews(GuestMemory memory, long offset, long length) {
        return views(memory, readable, offset, length);
    }

    /** The longest view handed out at once (a buffer holds up to 2^32-1 bytes, a ByteBuffer 2^31-1). */
    static final int MAX_VIEW = 1 << 30;

    private static ByteBuffer[] views(GuestMemory memory, List<Buffer> buffers, long offset, long length) {
        List<ByteBuffer> out = new ArrayList<>();
        pieces(buffers, offset, length, (gpa, n) -> out.add(memory.buffer(gpa, (int) n)));
        return out.toArray(new ByteBuffer[0]);
    }

    /** A guest-physical range of at most {@link #MAX_VIEW} bytes. */
    private interface Piece {
        void take(long gpa, long length);
    }

    /** Hands {@code piece} the ranges of {@code length} bytes of {@code buffers} from {@code offset} bytes in. */
    private static void pieces(List<Buffer> buffers, long offset, long length, Piece piece) {
        long skip = offset;
        long left = length;
        for (Buffer buf : buffers) {
            if (left == 0) {
                break;
            }
            if (skip >= buf.length()) {
                skip -= buf.length();
                continue;
            }
            for (long at = buf.address() + skip, end = buf.address() + buf.length(); at < end && left > 0; ) {
                long n = Math.min(Math.min(end - at, left), MAX_VIEW);
                piece.take(at, n);
                at += n;
                left -= n;
            }
            skip = 0;
        }
    }

    private static int copy(GuestMemory memory, List<Buffer> buffers, long offset, byte[] b, int off, int length,
            boolean toGuest) {
        int[] done = {0};
        pieces(buffers, offset, length, (gpa, n) -> {
            if (toGuest) {
                memory.write(gpa, b, off + done[0], (int) n);
            } else {
                memory.read(gpa, b, off + done[0], (int) n);
            }
            done[0] += (int) n;
        });
        return done[0];
    }

    /** Gathers up to {@code max} bytes of the readable buffers. */
    public byte[] read(GuestMemory memory, int max) {
        byte[] out = new byte[(int) Math.min(max, readableLength())];
        readAt(memory, 0, out, 0, out.length);
        return out;
    }

    /** Scatters {@code data[offset, offset+length)} over the writable buffers; returns bytes written. */
    public int write(GuestMemory memory, byte[] data, int offset, int length) {
        return writeAt(memory, 0, data, offset, length);
    }
}
