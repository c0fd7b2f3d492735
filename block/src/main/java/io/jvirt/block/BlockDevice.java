package io.jvirt.block;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A virtual disk addressed by byte offset: what a virtio-blk device or the image tool reads and
 * writes. Implementations are safe for concurrent use by several I/O threads; requests that
 * overlap in the guest address space see one of the orders in which they could have run.
 *
 * <p>Open one with {@link Images#open}. Every failure is a {@link BlockException} whose message
 * names the file, the value and the fix.
 */
public interface BlockDevice extends AutoCloseable {

    /** Virtual size in bytes. */
    long size();

    /** True when opened read-only: write, discard and write-zeroes fail. */
    boolean readOnly();

    /** Reads {@code dst.remaining()} bytes at {@code offset}; ranges past {@link #size()} fail. */
    void read(long offset, ByteBuffer dst) throws IOException;

    /** Writes {@code src.remaining()} bytes at {@code offset}. */
    void write(long offset, ByteBuffer src) throws IOException;

    /**
     * Reads into {@code dsts} one after another, from {@code offset} on: a request whose data
     * lies scattered in guest pages, in one preadv where the format can. By default buffer by
     * buffer.
     */
    default void read(long offset, ByteBuffer[] dsts) throws IOException {
        long at = offset;
        for (ByteBuffer dst : dsts) {
            int n = dst.remaining();
            read(at, dst);
            at += n;
        }
    }

    /** Writes {@code srcs} one after another from {@code offset} on; see {@link #read(long, ByteBuffer[])}. */
    default void write(long offset, ByteBuffer[] srcs) throws IOException {
        long at = offset;
        for (ByteBuffer src : srcs) {
            int n = src.remaining();
            write(at, src);
            at += n;
        }
    }

    /** Makes every completed write durable (fdatasync of the file and its metadata). */
    void flush() throws IOException;

    /**
     * Tells the device the range is no longer needed. Whole clusters read as zero afterwards
     * (or, for a qcow2 v2 image with a backing file, as the backing file); partial clusters are
     * left as they were.
     */
    void discard(long offset, long length) throws IOException;

    /** Makes the range read as zeroes, deallocating whole clusters where the format can. */
    void writeZeroes(long offset, long length) throws IOException;

    /**
     * Where {@code offset} is stored: the returned extent starts at {@code offset}, is at most
     * {@code maxLength} long and has one status throughout.
     */
    Extent status(long offset, long maxLength) throws IOException;

    /** Closes the device; flushes first when writable. */
    @Override
    void close() throws IOException;

    /**
     * Closes without waiting for the data to reach the disk (qemu's cache=unsafe, which
     * qemu-img convert uses by default): the page cache still holds every write, only a host
     * crash could lose them. Metadata stays consistent either way.
     */
    default void closeUnsafe() throws IOException {
        close();
    }

    /** Convenience: reads into a byte array. */
    default void read(long offset, byte[] b, int off, int len) throws IOException {
        read(offset, ByteBuffer.wrap(b, off, len));
    }

    /** Convenience: writes from a byte array. */
    default void write(long offset, byte[] b, int off, int len) throws IOException {
        write(offset, ByteBuffer.wrap(b, off, len));
    }
}
