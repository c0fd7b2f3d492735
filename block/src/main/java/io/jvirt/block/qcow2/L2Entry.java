package io.jvirt.block.qcow2;

/**
 * The kinds of an L2 table entry (qcow2.txt "Cluster mapping"): a closed set, switched over
 * exhaustively by the read and write paths.
 */
sealed interface L2Entry {

    long COPIED = 1L << 63;                      // bit 63: refcount is exactly 1
    long COMPRESSED = 1L << 62;                  // bit 62: compressed cluster descriptor
    long ZERO = 1L;                              // bit 0: all zeroes (v3, no extended L2)
    long OFFSET_MASK = 0x00fffffffffffe00L;      // bits 9-55: host cluster offset
    long RESERVED_MASK = 0x3f000000000001feL;    // bits 1-8 and 56-61 must be zero

    /** Not allocated in this image: read the backing file (or zeroes). */
    record Unallocated() implements L2Entry {
    }

    /** Reads as zeroes; {@code host} is a preallocated cluster or 0. */
    record Zero(long host) implements L2Entry {
    }

    /** Data at {@code host}; {@code copied} says the cluster is not shared. */
    record Normal(long host, boolean copied) implements L2Entry {
    }

    /** Compressed data: {@code length} bytes at byte offset {@code host} (not aligned). */
    record Compressed(long host, int length) implements L2Entry {
    }

    Unallocated UNALLOCATED = new Unallocated();

    /** Decodes a standard (first 64-bit) entry; {@code extended} ignores bit 0. */
    static L2Entry decode(long e, int clusterBits, boolean extended) {
        if ((e & COMPRESSED) != 0) {
            int x = 62 - (clusterBits - 8);
            long host = e & ((1L << x) - 1);
            long sectors = ((e & ~COPIED & ~COMPRESSED) >>> x) + 1;
            return new Compressed(host, (int) (sectors * 512 - (host & 511)));
        }
        long host = e & OFFSET_MASK;
        if (!extended && (e & ZERO) != 0) {
            return new Zero(host);
        }
        if (host == 0) {
            return UNALLOCATED;
        }
        return new Normal(host, (e & COPIED) != 0);
    }

    /** Encodes a compressed descriptor for {@code length} bytes at {@code host}. */
    static long compressed(long host, int length, int clusterBits) {
        int x = 62 - (clusterBits - 8);
        long sectors = ((host + length - 1) >> 9) - (host >> 9);
        return COMPRESSED | (sectors << x) | host;
    }
}
