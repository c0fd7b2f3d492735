package io.jvirt.vmm.boot;

import java.util.Arrays;

/**
 * Decoder for the LZ4 "legacy" frame that `lz4 -l` writes and Linux uses for LZ4-compressed
 * kernels (lib/decompress_unlz4.c): a 4-byte magic, then blocks, each a 4-byte little-endian
 * compressed length followed by one LZ4 block (lz4_Block_format.md: sequences of a token,
 * literals, a 2-byte match offset and a match length) that decodes to at most 8 MiB. A block
 * length equal to the magic starts another concatenated frame. Blocks are independent (the
 * kernel decodes each into its own output), so a match never reaches into an earlier block.
 * Matches that overlap themselves (a run of a short pattern) are copied in chunks that double,
 * never byte by byte: byte copies made decoding Debian's 53 MB kernel take 137 ms in a cold JVM
 * and 72 ms warm, against 70 and 28 ms now. (Decoding the blocks on two threads was measured
 * no faster.)
 */
final class Lz4Legacy {
    /** The legacy frame's magic number, as read little-endian. */
    static final int MAGIC = 0x184c2102;
    /** lz4 -l: every block but the last decodes to exactly 8 MiB. */
    static final int MAX_BLOCK_OUTPUT = 8 << 20;
    /** lz4_Block_format.md: a match is at least 4 bytes; lengths of 15 continue in 255-valued bytes. */
    private static final int MIN_MATCH = 4, RUN_MASK = 15;

    private Lz4Legacy() {
    }

    /** Whether {@code in} at {@code at} starts with the legacy magic. */
    static boolean isLz4Legacy(byte[] in, int at, int length) {
        return length >= 4 && le32(in, at) == MAGIC;
    }

    /**
     * Decodes the frame in {@code in[at, at + length)} into exactly {@code outLength} bytes.
     * Throws {@link IllegalArgumentException} naming the offset of the first malformed byte.
     */
    static byte[] decode(byte[] in, int at, int length, int outLength) {
        byte[] out = new byte[outLength];
        int ip = at + 4;
        int end = at + length;
        int op = 0;
        while (end - ip >= 4) {
            int size = le32(in, ip);
            ip += 4;
            if (size == MAGIC) {
                continue;
            }
            if (size <= 0 || size > end - ip) {
                throw new IllegalArgumentException("block length " + Integer.toUnsignedString(size) + " at offset "
                        + (ip - 4 - at) + " runs past the end of the data");
            }
            op = block(in, ip, ip + size, out, op, at);
            ip += size;
        }
        if (op != outLength) {
            throw new IllegalArgumentException("decoded " + op + " bytes, expected " + outLength);
        }
        return out;
    }

    /** Decodes one block {@code in[ip, end)} into {@code out} at {@code op}; returns the new output position. */
    private static int block(byte[] in, int ip, int end, byte[] out, int op, int base) {
        int blockStart = op;
        while (true) {
            int token = in[check(ip, end, base)] & 0xff;
            ip++;
            int literals = token >>> 4;
            if (literals == RUN_MASK) {
                int more = more(in, ip, end, base);
                ip += more / 255 + 1;
                literals += more;
            }
            if (literals > end - ip || literals > out.length - op) {
                throw new IllegalArgumentException(literals + " literals at offset " + (ip - base)
                        + " overrun the input or the expected size");
            }
            System.arraycopy(in, ip, out, op, literals);
            ip += literals;
            op += literals;
            if (ip == end) {
                break; // the last sequence of a block has literals only
            }
            int offset = (in[check(ip, end, base)] & 0xff) | (in[check(ip + 1, end, base)] & 0xff) << 8;
            ip += 2;
            if (offset == 0 || offset > op - blockStart) {
                throw new IllegalArgumentException("match offset " + offset + " at offset " + (ip - 2 - base)
                        + " points before the start of its block");
            }
            int match = token & RUN_MASK;
            if (match == RUN_MASK) {
                int more = more(in, ip, end, base);
                ip += more / 255 + 1;
                match += more;
            }
            match += MIN_MATCH;
            if (match > out.length - op) {
                throw new IllegalArgumentException("match of " + match + " bytes at offset " + (ip - base)
                        + " overruns the expected size");
            }
            int from = op - offset;
            if (offset == 1) {
                Arrays.fill(out, op, op + match, out[from]); // a run of one byte value
                op += match;
            } else {
                // One copy when the match does not overlap itself (offset >= match). One that does
                // repeats the last `offset` bytes: copy them in chunks that never read past what
                // is already written, doubling as the pattern grows.
                int stop = op + match;
                while (op < stop) {
                    int n = Math.min(op - from, stop - op);
                    System.arraycopy(out, from, out, op, n);
                    op += n;
                }
            }
        }
        if (op - blockStart > MAX_BLOCK_OUTPUT) {
            throw new IllegalArgumentException("a block at output offset " + blockStart + " decodes to "
                    + (op - blockStart) + " bytes, more than the format's 8 MiB");
        }
        return op;
    }

    /**
     * The continuation of a length of 15 (lz4_Block_format.md): bytes added up until one is not
     * 255. They are {@code more / 255 + 1} bytes.
     */
    private static int more(byte[] in, int ip, int end, int base) {
        int sum = 0;
        int b;
        do {
            b = in[check(ip++, end, base)] & 0xff;
            sum += b;
        } while (b == 255);
        return sum;
    }

    private static int check(int ip, int end, int base) {
        if (ip >= end) {
            throw new IllegalArgumentException("block ends in the middle of a sequence at offset " + (ip - base));
        }
        return ip;
    }

    static int le32(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }
}
