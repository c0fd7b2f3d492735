package io.jvirt.sys;

import java.nio.file.Path;

/**
 * Where a file's blocks are, and making or freeing them: what a sparse disk image needs from the
 * host file system beyond read and write. lseek(2) SEEK_DATA/SEEK_HOLE find data and holes,
 * fallocate(2) punches holes (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE) or allocates blocks
 * (mode 0), fstat(2) counts the blocks in use. The handle has its own descriptor, opened by
 * path next to whatever channel the caller reads and writes through; both name one inode.
 * Safe for concurrent use.
 */
public interface FileSpace extends AutoCloseable {

    /** Opens {@code path} read-only, or read-write when {@code writable}; close-on-exec. */
    static FileSpace open(Path path, boolean writable) {
        return FileSpaceFd.open(path, writable);
    }

    /**
     * The first offset at or after {@code offset} that holds data (lseek SEEK_DATA), or -1 when
     * only a hole follows up to the end of the file. A file system without hole tracking
     * reports data everywhere.
     */
    long nextData(long offset);

    /**
     * The first offset at or after {@code offset} inside a hole (lseek SEEK_HOLE); the end of
     * the file counts as a hole, so this is the file length when no hole follows. -1 when
     * {@code offset} is at or past the end of the file.
     */
    long nextHole(long offset);

    /**
     * Frees the blocks of the range, keeping the file length (fallocate PUNCH_HOLE|KEEP_SIZE);
     * the range reads as zeroes afterwards. Fails with EOPNOTSUPP where the file system cannot.
     */
    void punchHole(long offset, long length);

    /** Allocates blocks for the range (fallocate mode 0); grows the file when it ends past it. */
    void allocate(long offset, long length);

    /** Bytes of storage the file occupies: fstat's st_blocks * 512. */
    long allocatedBytes();

    @Override
    void close();
}
