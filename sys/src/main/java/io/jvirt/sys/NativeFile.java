package io.jvirt.sys;

import java.nio.file.Path;

/**
 * A file opened with open(2) and accessed with pread/pwrite/fsync: positional I/O on a raw
 * descriptor, for callers that need the fd itself (O_DIRECT disk images, device nodes).
 * Safe for concurrent positional reads and writes.
 */
public interface NativeFile extends AutoCloseable {

    /** Opens {@code path} read-only, or read-write when {@code writable}; close-on-exec. */
    static NativeFile open(Path path, boolean writable) {
        return FdFile.open(path, writable ? LinuxConstants.O_RDWR : LinuxConstants.O_RDONLY);
    }

    /** Creates (or truncates) {@code path} with mode 0644 and opens it read-write. */
    static NativeFile create(Path path) {
        return FdFile.open(path, LinuxConstants.O_RDWR | LinuxConstants.O_CREAT | LinuxConstants.O_TRUNC);
    }

    int fd();

    /** pread: up to {@code length} bytes at {@code position}; returns the count, 0 at end of file. */
    int read(long position, byte[] dst, int offset, int length);

    /** pwrite of all {@code length} bytes at {@code position} (loops over short writes). */
    void write(long position, byte[] src, int offset, int length);

    /** fsync: data and metadata reach stable storage. */
    void sync();

    @Override
    void close();
}
