package io.jvirt.block.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The data write path: in-place writes to exclusively owned clusters and copy-on-write
 * allocation (a cluster at a time, or a run of clusters for long writes into unallocated space).
 * Order per allocation: raise the new cluster's refcount and fill it (written through), then
 * point the L2 entry at it and queue the release of the old cluster (both in memory, written
 * back in that order by {@link Tables#writeBack}). Zero and discard are in {@link ZeroWrites},
 * compressed writes in {@link CompressedWrites}.
 */
final class Writer {

    static final long ALL_ALLOC = 0xffffffffL;

    /** How often a writer lost the race to publish a cluster (tests read it). */
    static final java.util.concurrent.atomic.AtomicLong LOST_RACES =
            new java.util.concurrent.atomic.AtomicLong();

    private final Qcow2File f;

    Writer(Qcow2File f) {
        this.f = f;
    }

    void write(long offset, ByteBuffer src) throws IOException {
        int len = src.remaining();
        f.requests.run(false, () -> {
            f.checkRange(offset, len);
            ByteBuffer s = src.duplicate();
            long pos = offset;
            while (s.hasRemaining()) {
                long g = pos >> f.cb;
                int in = (int) (pos & (f.cs - 1));
                if (in == 0 && s.remaining() >= 2 * f.cs && !f.ext) {
                    int done = writeRun(g, s.slice(s.position(), s.remaining()));
                    if (done > 0) {
                        s.position(s.position() + done * f.cs);
                        pos += (long) done * f.cs;
                        continue;
                    }
                }
                int n = Math.min(s.remaining(), f.cs - in);
                writePiece(g, in, s.slice(s.position(), n));
                s.position(s.position() + n);
                pos += n;
            }
        });
        src.position(src.limit());
    }

    /**
     * Fast path for long writes into unallocated space: allocates a run of contiguous clusters,
     * writes the data with one call and publishes the L2 entries with one write. Returns the
     * clusters written, 0 when the fast path does not apply.
     */
    private int writeRun(long g, ByteBuffer src) throws IOException {
        int l1i = (int) (g / f.l2Entries);
        int l2i = (int) (g % f.l2Entries);
        int max = Math.min(Math.min(src.remaining() / f.cs, f.l2Entries - l2i), 1024);
        long tOff;
        int k;
        long host;
        f.meta.lock();
        try {
            tOff = l2ForWrite(l1i);
            long[] t = f.tables.l2Table(tOff);
            k = 0;
            while (k < max && t[l2i + k] == 0) {
                k++;
            }
            if (k < 2) {
                return 0;
            }
            host = f.rc.allocate(k);
        } finally {
            f.meta.unlock();
        }
        f.writeFully(host, src.slice(0, k * f.cs));
        f.meta.lock();
        try {
            long tOff2 = l2ForWrite(l1i);
            long[] t = f.tables.l2Table(tOff2);
            boolean same = tOff2 == tOff;
            for (int j = 0; same && j < k; j++) {
                same = t[l2i + j] == 0;
            }
            if (!same) {
                f.rc.release(host, (long) k * f.cs);
                return 0;
            }
            for (int j = 0; j < k; j++) {
                f.tables.setEntry(tOff2, t, l2i + j, (host + (long) j * f.cs) | L2Entry.COPIED, 0);
            }
            return k;
        } finally {
            f.meta.unlock();
        }
    }

    /**
     * L2 table for guest L1 index {@code l1i}, allocated or copied so that we own it. A new
     * table's contents are written through; the L1 entry changes in memory (see {@link Tables}).
     */
    long l2ForWrite(int l1i) throws IOException {
        long l1e = f.l1[l1i];
        long off = f.tables.l2Offset(l1e, l1i);
        if (off == 0) {
            long n = f.rc.allocate(1);
            f.writeFully(n, new byte[f.cs], 0, f.cs);
            f.tables.cacheL2(n, new long[f.cs / 8]);
            f.tables.setL1(l1i, n | L2Entry.COPIED);
            return n;
        }
        if ((l1e & L2Entry.COPIED) == 0) {
            long r = f.rc.get(off >> f.cb);
            if (r == 1) {
                f.tables.setL1(l1i, off | L2Entry.COPIED);
                return off;
            }
            long[] t = f.tables.l2Table(off).clone();
            for (int i = 0; i < t.length; i += f.ext ? 2 : 1) {
                t[i] &= ~L2Entry.COPIED;
            }
            long n = f.rc.allocate(1);
            ByteBuffer b = ByteBuffer.allocate(f.cs);
            b.asLongBuffer().put(t);
            f.writeFully(n, b);
            f.tables.cacheL2(n, t);
            f.tables.setL1(l1i, n | L2Entry.COPIED);
            if (r > 0) {
                f.tables.freeLater(off, f.cs);
            }
            return n;
        }
        return off;
    }

    void writePiece(long g, int in, ByteBuffer part) throws IOException {
        int l1i = (int) (g / f.l2Entries);
        int l2i = (int) (g % f.l2Entries);
        int n = part.remaining();
        while (!tryWritePiece(g, in, part, l1i, l2i, n)) {
            Thread.onSpinWait(); // another writer changed this cluster meanwhile: redo
        }
    }

    /** One attempt; false when a concurrent writer published the cluster first. */
    private boolean tryWritePiece(long g, int in, ByteBuffer part, int l1i, int l2i, int n)
            throws IOException {
        boolean locked = true;
        f.meta.lock();
        try {
            long tOff = l2ForWrite(l1i);
            long[] t = f.tables.l2Table(tOff);
            long e = f.tables.entry(t, l2i);
            long bm = f.ext ? t[2 * l2i + 1] : 0;
            L2Entry old = L2Entry.decode(e, f.cb, f.ext);
            if (old instanceof L2Entry.Normal nm && nm.host() < (f.rc.endCluster << f.cb)
                    && (nm.copied() || f.rc.get(nm.host() >> f.cb) == 1)) {
                long host = f.checkHost(nm.host(), g);
                if (!f.ext) {
                    if (!nm.copied()) {
                        f.tables.setEntry(tOff, t, l2i, e | L2Entry.COPIED, 0);
                    }
                    f.meta.unlock();
                    locked = false;
                    f.writeFully(host + in, part);
                    return true;
                }
                long touched = touched(in, n);
                if ((bm & touched) == touched) {
                    if (!nm.copied()) {
                        f.tables.setEntry(tOff, t, l2i, e | L2Entry.COPIED, bm);
                    }
                    f.meta.unlock();
                    locked = false;
                    f.writeFully(host + in, part);
                    return true;
                }
                writeSubclusters(g, host, bm, in, part);
                f.tables.setEntry(tOff, t, l2i, host | L2Entry.COPIED, (bm | touched) & ~(touched << 32));
                return true;
            }
            long host = f.rc.allocate(1);
            if (f.ext && !(old instanceof L2Entry.Compressed)) {
                long touched = touched(in, n);
                if (old instanceof L2Entry.Normal nm) {
                    byte[] buf = new byte[f.cs];
                    f.readFully(f.checkHost(nm.host(), g), buf, 0, f.cs);
                    f.writeFully(host, buf, 0, f.cs);
                }
                writeSubclusters(g, host, bm, in, part);
                f.tables.setEntry(tOff, t, l2i, host | L2Entry.COPIED, (bm | touched) & ~(touched << 32));
            } else {
                // Fill the new cluster outside the metadata lock, then publish it unless another
                // writer changed this guest cluster meanwhile.
                f.meta.unlock();
                locked = false;
                if (n == f.cs) {
                    f.writeFully(host, part.duplicate());
                } else {
                    byte[] buf = new byte[f.cs];
                    f.readCluster(g, e, bm, 0, ByteBuffer.wrap(buf));
                    part.duplicate().get(buf, in, n);
                    f.writeFully(host, buf, 0, f.cs);
                }
                TestHooks.beforePublish(f, g);
                f.meta.lock();
                locked = true;
                long tOff2 = l2ForWrite(l1i);
                long[] t2 = f.tables.l2Table(tOff2);
                if (tOff2 != tOff || f.tables.entry(t2, l2i) != e) {
                    f.rc.release(host, f.cs);
                    LOST_RACES.incrementAndGet();
                    return false;
                }
                f.tables.setEntry(tOff2, t2, l2i, host | L2Entry.COPIED, f.ext ? ALL_ALLOC : 0);
            }
            f.tables.freeLater(old);
            return true;
        } finally {
            if (locked) {
                f.meta.unlock();
            }
        }
    }

    private long touched(int in, int n) {
        int first = in >> f.scBits;
        int last = (in + n - 1) >> f.scBits;
        return last == 31 && first == 0 ? ALL_ALLOC : ((1L << (last + 1)) - 1) & ~((1L << first) - 1);
    }

    /** Writes {@code part} into host cluster {@code host}, completing partial subclusters. */
    private void writeSubclusters(long g, long host, long bm, int in, ByteBuffer part)
            throws IOException {
        int scSize = 1 << f.scBits;
        int p = in;
        int end = in + part.remaining();
        ByteBuffer src = part.duplicate();
        while (p < end) {
            int sc = p >> f.scBits;
            int scStart = sc * scSize;
            int n = Math.min(end, scStart + scSize) - p;
            ByteBuffer piece = src.slice(src.position(), n);
            if ((bm >>> sc & 1) != 0 || n == scSize) {
                f.writeFully(host + p, piece);
            } else {
                byte[] buf = new byte[scSize];
                if ((bm >>> (32 + sc) & 1) == 0) {
                    f.readBacking((g << f.cb) + scStart, ByteBuffer.wrap(buf));
                }
                piece.get(buf, p - scStart, n);
                f.writeFully(host + scStart, buf, 0, scSize);
            }
            src.position(src.position() + n);
            p += n;
        }
    }
}
