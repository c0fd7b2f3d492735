package io.jvirt.block.qcow2;

import io.airlift.compress.zstd.ZstdCompressor;
import io.airlift.compress.zstd.ZstdDecompressor;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Cluster compression (qcow2.txt "compression_type"): 0 is raw deflate with a 4 KiB window
 * (qemu's qcow2-threads.c uses windowBits -12), 1 is a single zstd frame. Both decoders stop at
 * one cluster of output and tolerate the padding up to the final 512-byte sector.
 */
final class Compression {

    static final int DEFLATE = 0;
    static final int ZSTD = 1;
    private static final int WINDOW = 4096;     // windowBits 12
    private static final int ZSTD_MAGIC = 0xFD2FB528;

    private Compression() {
    }

    /** Decompresses into {@code out} (one cluster); false when the data is malformed. */
    static boolean decompress(int type, byte[] in, int len, byte[] out) {
        return type == ZSTD ? zstd(in, len, out) : inflate(in, len, out);
    }

    private static boolean inflate(byte[] in, int len, byte[] out) {
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(in, 0, len);
            int n = 0;
            while (n < out.length) {
                int r = inf.inflate(out, n, out.length - n);
                if (r == 0 && (inf.finished() || inf.needsInput() || inf.needsDictionary())) {
                    break;
                }
                n += r;
            }
            return n == out.length;
        } catch (DataFormatException e) {
            return false;
        } finally {
            inf.end();
        }
    }

    private static boolean zstd(byte[] in, int len, byte[] out) {
        int frame = frameLength(in, len);
        if (frame <= 0) {
            return false;
        }
        try {
            int n = new ZstdDecompressor().decompress(in, 0, frame, out, 0, out.length);
            return n == out.length;
        } catch (RuntimeException e) { // airlift reports malformed frames as MalformedInputException
            return false;
        }
    }

    /**
     * Length of the zstd frame at the start of {@code in} (RFC 8878 section 3.1.1), so that the
     * sector padding after it is not taken for a second frame. Returns -1 when malformed.
     */
    static int frameLength(byte[] in, int len) {
        if (len < 6 || (in[0] & 0xff | (in[1] & 0xff) << 8 | (in[2] & 0xff) << 16
                | (in[3] & 0xff) << 24) != ZSTD_MAGIC) {
            return -1;
        }
        int fhd = in[4] & 0xff;
        int fcsFlag = fhd >>> 6;
        boolean single = (fhd & 0x20) != 0;
        boolean checksum = (fhd & 0x04) != 0;
        int dictFlag = fhd & 3;
        int p = 5 + (single ? 0 : 1) + new int[] {0, 1, 2, 4}[dictFlag]
                + new int[] {single ? 1 : 0, 2, 4, 8}[fcsFlag];
        while (true) {
            if (p + 3 > len) {
                return -1;
            }
            int bh = in[p] & 0xff | (in[p + 1] & 0xff) << 8 | (in[p + 2] & 0xff) << 16;
            p += 3;
            int type = (bh >>> 1) & 3;
            int size = bh >>> 3;
            if (type == 3) {
                return -1;
            }
            p += type == 1 ? 1 : size;
            if ((bh & 1) != 0) {
                break;
            }
        }
        p += checksum ? 4 : 0;
        return p <= len ? p : -1;
    }

    /** Compresses one cluster; returns null when the result would not be smaller. */
    static byte[] compress(int type, byte[] in) {
        byte[] out;
        int n;
        if (type == ZSTD) {
            ZstdCompressor c = new ZstdCompressor();
            out = new byte[c.maxCompressedLength(in.length)];
            n = c.compress(in, 0, in.length, out, 0, out.length);
        } else {
            // A full flush every 4 KiB resets the history, so no match reaches farther back
            // than the 4 KiB window qemu inflates with.
            Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            out = new byte[in.length + in.length / 8 + 64];
            n = 0;
            try {
                for (int p = 0; p < in.length; p += WINDOW) {
                    d.setInput(in, p, Math.min(WINDOW, in.length - p));
                    if (p + WINDOW >= in.length) {
                        d.finish();
                        while (!d.finished() && n < out.length) {
                            n += d.deflate(out, n, out.length - n);
                        }
                    } else {
                        int r;
                        int space;
                        do {
                            space = out.length - n;
                            r = d.deflate(out, n, space, Deflater.FULL_FLUSH);
                            n += r;
                        } while (r == space && n < out.length);
                    }
                    if (n >= out.length) {
                        return null;
                    }
                }
            } finally {
                d.end();
            }
        }
        if (n >= in.length) {
            return null;
        }
        return java.util.Arrays.copyOf(out, n);
    }
}
