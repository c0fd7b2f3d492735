package io.jvirt.block.qcow2;

import io.jvirt.block.BlockException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Compressed cluster writes (convert -c): the compressed bytes of several clusters are packed
 * into shared host clusters, each host cluster counted once per compressed cluster in it.
 */
final class CompressedWrites {

    private final Qcow2File f;
    private long cursor;   // next free byte in the current compressed-data cluster, or 0

    CompressedWrites(Qcow2File f) {
        this.f = f;
    }

    /** Forgets the packing cursor (its cluster may be freed). Caller holds meta. */
    void resetCursor() {
        cursor = 0;
    }

    void write(long offset, byte[] cluster) throws IOException {
        if ((offset & (f.cs - 1)) != 0 || cluster.length != f.cs) {
            throw new BlockException(f.name + ": compressed write at " + offset + " of "
                    + cluster.length + " bytes is not one aligned cluster of " + f.cs
                    + "; write whole clusters");
        }
        byte[] z = Compression.compress(f.h.compressionType, cluster);
        if (z == null) {
            f.write(offset, ByteBuffer.wrap(cluster, 0, (int) Math.min(f.cs, f.h.size - offset)));
            return;
        }
        f.requests.run(false, () -> {
            f.checkRange(offset, Math.min(f.cs, f.h.size - offset));
            long g = offset >> f.cb;
            int l1i = (int) (g / f.l2Entries);
            int l2i = (int) (g % f.l2Entries);
            f.meta.lock();
            try {
                long tOff = f.writer.l2ForWrite(l1i);
                long[] t = f.tables.l2Table(tOff);
                long e = f.tables.entry(t, l2i);
                long host = allocBytes(z.length);
                f.writeFully(host, z, 0, z.length);
                f.tables.setEntry(tOff, t, l2i, L2Entry.compressed(host, z.length, f.cb), 0);
                f.tables.freeLater(L2Entry.decode(e, f.cb, f.ext));
            } finally {
                f.meta.unlock();
            }
        });
    }

    /** Room for {@code len} bytes: in the current cluster if they fit, else in new clusters. */
    private long allocBytes(int len) throws IOException {
        long cur = cursor;
        if (cur != 0 && (cur & (f.cs - 1)) != 0 && (cur & (f.cs - 1)) + len <= f.cs) {
            f.rc.add(cur >> f.cb, 1);
            cursor = cur + len;
            return cur;
        }
        int clusters = (len + f.cs - 1) / f.cs;
        long start = f.rc.allocate(clusters);
        cursor = start + len;
        return start;
    }
}
