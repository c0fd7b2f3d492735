package io.jvirt.block;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** {@link HostFile} in pure Java, through the image's own channel. */
final class PortableHostFile implements HostFile {

    static final HostFiles FILES = (path, channel, writable) -> new PortableHostFile(channel);
    static volatile HostFiles installed = FILES;

    private static final int ZERO_CHUNK = 1 << 20;

    private final FileChannel ch;

    private PortableHostFile(FileChannel ch) {
        this.ch = ch;
    }

    @Override
    public long nextData(long offset) throws IOException {
        return offset < ch.size() ? offset : -1;
    }

    @Override
    public long nextHole(long offset) throws IOException {
        long size = ch.size();
        return offset < size ? size : -1;
    }

    @Override
    public boolean sparse() {
        return false;
    }

    @Override
    public void punchHole(long offset, long length) throws IOException {
        long end = Math.min(offset + length, ch.size());
        ByteBuffer z = ByteBuffer.allocate((int) Math.max(1, Math.min(ZERO_CHUNK, end - offset)));
        for (long p = offset; p < end; ) {
            z.clear().limit((int) Math.min(z.capacity(), end - p));
            p += ch.write(z, p);
        }
    }

    @Override
    public void allocate(long offset, long length) throws IOException {
        if (length > 0 && offset + length > ch.size()) {
            ch.write(ByteBuffer.allocate(1), offset + length - 1);
        }
    }

    @Override
    public long allocatedBytes() throws IOException {
        return ch.size();
    }

    @Override
    public void close() {
        // the channel belongs to the image
    }
}
