package io.jvirt.block.qcow2;

import io.jvirt.block.BlockException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The read path of {@link Qcow2File}: one guest cluster at a time, by L2 entry kind (and, with
 * extended L2 entries, by subcluster): data, zeroes, compressed data or the backing file.
 */
final class Reads {

    private Reads() {
    }

    /** A read request (range checked, shared lock held): cluster by cluster, or run by run. */
    static void request(Qcow2File f, long offset, ByteBuffer dst) throws IOException {
        long pos = offset;
        while (dst.hasRemaining()) {
            long g = pos >> f.cb;
            int in = (int) (pos & (f.cs - 1));
            int n = (int) Math.min(dst.remaining(), f.cs - in);
            long[] e = f.tables.lookup(g);
            TestHooks.afterLookup(f, g);
            if (!f.ext && dst.remaining() > n
                    && L2Entry.decode(e[0], f.cb, false) instanceof L2Entry.Normal nm) {
                // data clusters that follow each other in the file: one read for the run
                long host = f.checkHost(nm.host(), g);
                long rest = dst.remaining() - n;
                int more = f.tables.contiguousAfter(g, host, (int) Math.min(1024,
                        (rest + f.cs - 1) / f.cs));
                n += (int) Math.min(rest, (long) more * f.cs);
                f.readInto(host + in, dst.slice(dst.position(), n));
            } else {
                cluster(f, g, e[0], e[1], in, dst.slice(dst.position(), n));
            }
            dst.position(dst.position() + n);
            pos += n;
        }
    }

    /** Reads {@code part.remaining()} bytes at {@code in} within guest cluster {@code g}. */
    static void cluster(Qcow2File f, long g, long entry, long bitmap, int in, ByteBuffer part)
            throws IOException {
        L2Entry d = L2Entry.decode(entry, f.cb, f.ext);
        long pos = (g << f.cb) + in;
        switch (d) {
            case L2Entry.Compressed c -> {
                byte[] data = decompress(f, c, g);
                part.put(data, in, part.remaining());
            }
            case L2Entry.Zero z -> zeroFill(part);
            case L2Entry.Unallocated u -> {
                if (f.ext && bitmap != 0) {
                    subclusters(f, g, 0, bitmap, in, part);
                } else {
                    backing(f, pos, part);
                }
            }
            case L2Entry.Normal n -> {
                long host = f.checkHost(n.host(), g);
                if (f.ext) {
                    subclusters(f, g, host, bitmap, in, part);
                } else {
                    f.readInto(host + in, part);
                }
            }
        }
    }

    private static void subclusters(Qcow2File f, long g, long host, long bitmap, int in,
                                    ByteBuffer part) throws IOException {
        int scSize = 1 << f.scBits;
        int p = in;
        int end = in + part.remaining();
        while (p < end) {
            int sc = p >> f.scBits;
            int n = Math.min(end, (sc + 1) * scSize) - p;
            ByteBuffer piece = part.slice(part.position(), n);
            if ((bitmap >>> sc & 1) != 0) {
                if (host == 0) {
                    throw new BlockException(f.name + ": subcluster " + sc + " of guest offset 0x"
                            + Long.toHexString(g << f.cb) + " is allocated without a host cluster; "
                            + "run 'jvirt img check -r all " + f.name + "'");
                }
                f.readInto(host + p, piece);
            } else if ((bitmap >>> (32 + sc) & 1) != 0) {
                zeroFill(piece);
            } else {
                backing(f, (g << f.cb) + p, piece);
            }
            part.position(part.position() + n);
            p += n;
        }
    }

    static byte[] decompress(Qcow2File f, L2Entry.Compressed c, long g) throws IOException {
        int len = c.length();
        if (len <= 0 || len > 2 * f.cs + 1024 || c.host() >= (f.rc.endCluster << f.cb)) {
            throw new BlockException(f.name + ": compressed cluster at guest offset 0x"
                    + Long.toHexString(g << f.cb) + " has an invalid descriptor (host 0x"
                    + Long.toHexString(c.host()) + ", " + len + " bytes); run "
                    + "'jvirt img check " + f.name + "'");
        }
        byte[] in = new byte[len];
        f.readFully(c.host(), in, 0, len);
        byte[] out = new byte[f.cs];
        if (!Compression.decompress(f.h.compressionType, in, len, out)) {
            throw new BlockException(f.name + ": compressed cluster at guest offset 0x"
                    + Long.toHexString(g << f.cb) + " (host 0x" + Long.toHexString(c.host())
                    + ") does not decompress to " + f.cs + " bytes; the image is corrupt");
        }
        return out;
    }

    static void backing(Qcow2File f, long pos, ByteBuffer part) throws IOException {
        if (f.backing == null) {
            if (f.h.backingFile != null && !f.backingOpened) {
                throw new BlockException(f.name + ": f.backing file '" + f.h.backingFile
                        + "' was not opened; open the image with its f.backing chain");
            }
            zeroFill(part);
            return;
        }
        long bsize = f.backing.size();
        int n = part.remaining();
        int inBacking = (int) Math.max(0, Math.min(n, bsize - pos));
        if (inBacking > 0) {
            f.backing.read(pos, part.slice(part.position(), inBacking));
            part.position(part.position() + inBacking);
        }
        zeroFill(part);
    }

    static void zeroFill(ByteBuffer b) {
        while (b.remaining() >= 8) {
            b.putLong(0);
        }
        while (b.hasRemaining()) {
            b.put((byte) 0);
        }
    }

}
