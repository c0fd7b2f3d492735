package io.jvirt.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Objects;

/** {@link NativeFile} over open/pread/pwrite/fsync. */
final class FdFile implements NativeFile {

    private static final int MODE_0644 = 0644;

    private final Fd fd;

    private FdFile(Fd fd) {
        this.fd = fd;
    }

    static FdFile open(Path path, int flags) {
        String name = path.toString();
        return new FdFile(new Fd(Libc.open(name, flags | LinuxConstants.O_CLOEXEC, MODE_0644), name));
    }

    @Override
    public int fd() {
        return fd.get();
    }

    @Override
    public int read(long position, byte[] dst, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, dst.length);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(Math.max(length, 1));
            int n = (int) Libc.pread(fd.get(), buf, length, position, fd.name());
            MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, dst, offset, n);
            return n;
        }
    }

    @Override
    public void write(long position, byte[] src, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, src.length);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(Math.max(length, 1));
            MemorySegment.copy(src, offset, buf, ValueLayout.JAVA_BYTE, 0, length);
            long done = 0;
            while (done < length) {
                done += Libc.pwrite(fd.get(), buf.asSlice(done), length - done, position + done, fd.name());
            }
        }
    }

    @Override
    public void sync() {
        Libc.fsync(fd.get(), fd.name());
    }

    @Override
    public void close() {
        fd.close();
    }
}
