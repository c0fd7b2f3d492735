package io.jvirt.block.raw;

import io.jvirt.block.BlockException;
import io.jvirt.block.Extent;
import io.jvirt.block.HostFile;
import io.jvirt.block.HostFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@link RawImage} over a FileChannel; positional I/O is thread-safe. Holes, discard and
 * preallocation go through the installed {@link HostFiles}.
 */
final class RawFile implements RawImage {

    private static final int ZERO_CHUNK = 1 << 20;

    private final Path path;
    private final FileChannel ch;
    private final boolean readOnly;
    private final HostFile host;
    private volatile long size;
    /** Held while the channel's position is set and used ({@link #read(long, ByteBuffer[])}). */
    private final Object vectorLock = new Object();

    RawFile(Path path, FileChannel ch, boolean readOnly) throws IOException {
        this.path = path;
        this.ch = ch;
        this.readOnly = readOnly;
        this.size = ch.size();
        this.host = HostFiles.installed().open(path, ch, !readOnly);
    }

    static void create(Path path, long size, String prealloc) throws IOException {
        boolean full = prealloc.equals("full");
        if (size < 0) {
            throw new BlockException(path + ": size " + size + " is negative; give a size >= 0");
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            if (full) {
                ByteBuffer z = ByteBuffer.allocate(ZERO_CHUNK);
                for (long p = 0; p < size; p += ZERO_CHUNK) {
                    z.clear().limit((int) Math.min(ZERO_CHUNK, size - p));
                    while (z.hasRemaining()) {
                        ch.write(z, p + z.position());
                    }
                }
            } else if (prealloc.equals("falloc")) {
                try (HostFile h = HostFiles.installed().open(path, ch, true)) {
                    h.allocate(0, size);
                }
            } else if (size > 0) {
                ch.write(ByteBuffer.allocate(1), size - 1);
                ch.truncate(size);
            }
        }
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    private void checkRange(long offset, long len) throws BlockException {
        if (offset < 0 || len < 0 || offset + len > size) {
            throw new BlockException(path + ": request at offset " + offset + " length " + len
                    + " is outside the image (size " + size + "); stay below the virtual size");
        }
    }

    private void checkWritable() throws BlockException {
        if (readOnly) {
            throw new BlockException(path + ": opened read-only; open it read-write to modify it");
        }
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        checkRange(offset, dst.remaining());
        long p = offset;
        while (dst.hasRemaining()) {
            int n = ch.read(dst, p);
            if (n < 0) {
                while (dst.hasRemaining()) {
                    dst.put((byte) 0);
                }
                return;
            }
            p += n;
        }
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        checkWritable();
        checkRange(offset, src.remaining());
        long p = offset;
        while (src.hasRemaining()) {
            p += ch.write(src, p);
        }
    }

    /**
     * One readv at the channel's position (FileChannel has no positional scatter read): the
     * position is set and used under {@link #vectorLock}; positional reads and writes do not
     * touch it.
     */
    @Override
    public void read(long offset, ByteBuffer[] dsts) throws IOException {
        long left = remaining(dsts);
        checkRange(offset, left);
        synchronized (vectorLock) {
            ch.position(offset);
            while (left > 0) {
                long n = ch.read(dsts);
                if (n < 0) { // the file is shorter than the image: the rest reads as zeroes
                    for (ByteBuffer dst : dsts) {
                        while (dst.hasRemaining()) {
                            dst.put((byte) 0);
                        }
                    }
                    return;
                }
                left -= n;
            }
        }
    }

    /** One writev at the channel's position, as {@link #read(long, ByteBuffer[])}. */
    @Override
    public void write(long offset, ByteBuffer[] srcs) throws IOException {
        checkWritable();
        long left = remaining(srcs);
        checkRange(offset, left);
        synchronized (vectorLock) {
            ch.position(offset);
            while (left > 0) {
                left -= ch.write(srcs);
            }
        }
    }

    private static long remaining(ByteBuffer[] buffers) {
        long n = 0;
        for (ByteBuffer b : buffers) {
            n += b.remaining();
        }
        return n;
    }

    @Override
    public void flush() throws IOException {
        if (!readOnly) {
            ch.force(true);
        }
    }

    @Override
    public void discard(long offset, long length) throws IOException {
        checkWritable();
        checkRange(offset, length);
        if (host.sparse()) {
            host.punchHole(offset, length);
        } // else: discard is advisory, and zero-writing would only cost time
    }

    @Override
    public void writeZeroes(long offset, long length) throws IOException {
        checkWritable();
        checkRange(offset, length);
        host.punchHole(offset, length);
    }

    @Override
    public Extent status(long offset, long maxLength) throws IOException {
        checkRange(offset, 0);
        long end = Math.min(size, offset + maxLength);
        long len = end - offset;
        // lseek SEEK_DATA/SEEK_HOLE, as qemu's file-posix block status: holes read as zeroes
        long data = len == 0 ? offset : host.nextData(offset);
        if (data < 0 || data > offset) {
            long holeEnd = data < 0 ? end : Math.min(end, data);
            return new Extent(offset, holeEnd - offset, false, true, 0, true, offset,
                    path.toString());
        }
        long hole = host.nextHole(offset);
        long dataEnd = hole < 0 ? end : Math.min(end, hole);
        return new Extent(offset, dataEnd - offset, true, false, 0, true, offset,
                path.toString());
    }

    @Override
    public void resize(long newSize) throws IOException {
        checkWritable();
        if (newSize < 0) {
            throw new BlockException(path + ": size " + newSize + " is negative; give a size >= 0");
        }
        if (newSize < ch.size()) {
            ch.truncate(newSize);
        } else if (newSize > ch.size()) {
            ch.write(ByteBuffer.allocate(1), newSize - 1);
        }
        size = newSize;
    }

    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            closeUnsafe();
        }
    }

    @Override
    public void closeUnsafe() throws IOException {
        try {
            host.close();
        } finally {
            ch.close();
        }
    }
}
