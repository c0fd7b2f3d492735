package io.jvirt.block;

import java.io.IOException;

/**
 * What an image needs from the host file beyond reading and writing it: where its data and
 * holes are, freeing and allocating blocks, and how much storage it takes. One per open image
 * file, from {@link HostFiles#open}; safe for concurrent use.
 *
 * <p>The portable implementation (pure Java) knows no holes, writes zeroes where it cannot
 * free, and reports the file length as its size on disk; the native one (lseek SEEK_DATA and
 * SEEK_HOLE, fallocate, fstat) is installed by the program that links the sys module.
 */
public interface HostFile extends AutoCloseable {

    /** The first offset at or after {@code offset} holding data, or -1 when only a hole follows. */
    long nextData(long offset) throws IOException;

    /**
     * The first offset at or after {@code offset} in a hole; the end of the file counts as one.
     * -1 when {@code offset} is at or past the end of the file.
     */
    long nextHole(long offset) throws IOException;

    /** True when {@link #punchHole} frees storage (false: it only writes zeroes). */
    boolean sparse();

    /**
     * Makes the range read as zeroes and frees its blocks where the host can (fallocate
     * PUNCH_HOLE, keeping the file length); otherwise writes zeroes.
     */
    void punchHole(long offset, long length) throws IOException;

    /**
     * Reserves blocks for the range (fallocate mode 0), growing the file when the range ends
     * past it; the portable implementation only grows the file.
     */
    void allocate(long offset, long length) throws IOException;

    /** Bytes of host storage the file occupies (st_blocks * 512; portable: its length). */
    long allocatedBytes() throws IOException;

    @Override
    void close() throws IOException;
}
