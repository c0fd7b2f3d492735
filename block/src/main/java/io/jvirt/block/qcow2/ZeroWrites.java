package io.jvirt.block.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Write-zeroes and discard. Whole clusters become zero clusters (v3), or unallocated where that
 * reads the same, and their host clusters are released once the change is written back (see
 * {@link Tables}), which punches them out of the host file. Partial clusters are written with
 * zeroes (write-zeroes) or left alone (discard, which is advisory).
 */
final class ZeroWrites {

    private static final long ALL_ZERO = 0xffffffffL << 32;

    private final Qcow2File f;

    ZeroWrites(Qcow2File f) {
        this.f = f;
    }

    void zeroOrDiscard(long offset, long length, boolean discard) throws IOException {
        f.requests.run(true, () -> {
            f.checkRange(offset, length);
            long pos = offset;
            long end = offset + length;
            while (pos < end) {
                long g = pos >> f.cb;
                int in = (int) (pos & (f.cs - 1));
                int n = (int) Math.min(end - pos, f.cs - in);
                boolean full = in == 0 && (n == f.cs || pos + n == f.h.size);
                if (full && (f.h.version >= 3 || f.ext || f.backing == null
                        && f.h.backingFile == null)) {
                    fullCluster(g);
                } else if (!discard) {
                    f.writer.writePiece(g, in, ByteBuffer.allocate(n));
                }
                pos += n;
            }
        });
    }

    /** Makes guest cluster {@code g} read as zeroes and queues the release of its host cluster. */
    private void fullCluster(long g) throws IOException {
        int l1i = (int) (g / f.l2Entries);
        int l2i = (int) (g % f.l2Entries);
        f.meta.lock();
        try {
            boolean noBacking = f.backing == null && f.h.backingFile == null;
            if (f.tables.l2Offset(f.l1[l1i], l1i) == 0 && noBacking) {
                return; // already reads as zeroes, no table needed
            }
            long tOff = f.writer.l2ForWrite(l1i);
            long[] t = f.tables.l2Table(tOff);
            long e = f.tables.entry(t, l2i);
            L2Entry old = L2Entry.decode(e, f.cb, f.ext);
            long newEntry = f.ext || f.h.version < 3 || noBacking && old instanceof L2Entry.Unallocated
                    ? 0 : L2Entry.ZERO;
            long newBm = f.ext ? ALL_ZERO : 0;
            if (newEntry == e && newBm == (f.ext ? t[2 * l2i + 1] : 0)) {
                return;
            }
            f.tables.setEntry(tOff, t, l2i, newEntry, newBm);
            f.tables.freeLater(old);
        } finally {
            f.meta.unlock();
        }
    }
}
