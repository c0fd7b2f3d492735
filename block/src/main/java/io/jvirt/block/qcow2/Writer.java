package io.jvirt.block.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The write path: in-place writes to exclusively owned clusters, copy-on-write allocation,
 * zero/discard, compressed writes. Order per allocation (crash leaves at most a leak):
 * raise the new cluster's refcount, write its data, write the L2 entry, then drop the old
 * cluster's refcount.
 */
final class Writer {

    private static final long ALL_ALLOC = 0xffffffffL;
    private static final long ALL_ZERO = 0xffffffffL << 32;

    /** How often a writer lost the race to publish a cluster (tests read it). */
    static final java.util.concurrent.atomic.AtomicLong LOST_RACES =
            new java.util.concurrent.atomic.AtomicLong();

    private final Qcow2File f;
    private long compCursor;   // next free byte in the current compressed-data cluster, or 0

    Writer(Qcow2File f) {
        this.f = f;
    }

    /** Forgets the compressed-data cursor (its cluster may have been freed). */
    void resetCursor() {
        compCursor = 0;
    }

    interface Op {
        void run() throws IOException;
    }

    /** Runs {@code op} under the shared lock (or exclusive), growing the refcount table when full. */
    void withRetry(boolean exclusive, Op op) throws IOException {
        f.checkWritable();
        while (true) {
            var lock = exclusive ? f.rw.writeLock() : f.rw.readLock();
            lock.lock();
            try {
                markDirty();
                op.run();
                return;
            } catch (Refcounts.TableFull full) {
                // fall through: grow under the exclusive lock, then retry the whole request
            } finally {
                lock.unlock();
            }
            f.rw.writeLock().lock();
            try {
                new Commit(f).run();
            } finally {
                f.rw.writeLock().unlock();
            }
        }
    }

    private void markDirty() throws IOException {
        if (f.dirtyByUs || (f.h.compatible & Header.COMPAT_LAZY_REFCOUNTS) == 0) {
            return;
        }
        f.meta.lock();
        try {
            if (!f.dirtyByUs) {
                f.h.incompatible |= Header.INCOMPAT_DIRTY;
                f.writeHeader();
                f.dirtyByUs = true;
            }
        } finally {
            f.meta.unlock();
        }
    }

    void write(long offset, ByteBuffer src) throws IOException {
        int len = src.remaining();
        withRetry(false, () -> {
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
            long[] t = f.l2Table(tOff);
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
            long[] t = f.l2Table(tOff2);
            boolean same = tOff2 == tOff;
            for (int j = 0; same && j < k; j++) {
                same = t[l2i + j] == 0;
            }
            if (!same) {
                f.rc.release(host, (long) k * f.cs);
                return 0;
            }
            ByteBuffer entries = ByteBuffer.allocate(8 * k);
            for (int j = 0; j < k; j++) {
                t[l2i + j] = (host + (long) j * f.cs) | L2Entry.COPIED;
                entries.putLong(t[l2i + j]);
            }
            f.writeFully(tOff2 + 8L * l2i, entries.flip());
            return k;
        } finally {
            f.meta.unlock();
        }
    }

    /** L2 table for guest L1 index {@code l1i}, allocated or copied so that we own it. */
    long l2ForWrite(int l1i) throws IOException {
        long l1e = f.l1[l1i];
        long off = f.l2Offset(l1e, l1i);
        if (off == 0) {
            long n = f.rc.allocate(1);
            f.writeFully(n, new byte[f.cs], 0, f.cs);
            f.cacheL2(n, new long[f.cs / 8]);
            setL1(l1i, n | L2Entry.COPIED);
            return n;
        }
        if ((l1e & L2Entry.COPIED) == 0) {
            long r = f.rc.get(off >> f.cb);
            if (r == 1) {
                setL1(l1i, off | L2Entry.COPIED);
                return off;
            }
            long[] t = f.l2Table(off).clone();
            for (int i = 0; i < t.length; i += f.ext ? 2 : 1) {
                t[i] &= ~L2Entry.COPIED;
            }
            long n = f.rc.allocate(1);
            ByteBuffer b = ByteBuffer.allocate(f.cs);
            b.asLongBuffer().put(t);
            f.writeFully(n, b);
            f.cacheL2(n, t);
            setL1(l1i, n | L2Entry.COPIED);
            if (r > 0) {
                f.rc.set(off >> f.cb, r - 1);
            }
            return n;
        }
        return off;
    }

    private void setL1(int l1i, long v) throws IOException {
        f.l1[l1i] = v;
        f.writeLong(f.h.l1Offset + 8L * l1i, v);
    }

    private void setEntry(long tOff, long[] t, int l2i, long entry, long bitmap) throws IOException {
        if (f.ext) {
            t[2 * l2i] = entry;
            t[2 * l2i + 1] = bitmap;
            f.writeFully(tOff + 16L * l2i, ByteBuffer.allocate(16).putLong(0, entry)
                    .putLong(8, bitmap));
        } else {
            t[l2i] = entry;
            f.writeLong(tOff + 8L * l2i, entry);
        }
    }

    private void release(L2Entry old) throws IOException {
        switch (old) {
            case L2Entry.Normal n -> releaseRange(n.host(), f.cs);
            case L2Entry.Zero z -> releaseRange(z.host(), z.host() == 0 ? 0 : f.cs);
            case L2Entry.Compressed c -> releaseRange(c.host(), c.length());
            case L2Entry.Unallocated u -> { }
        }
    }

    private void releaseRange(long off, long len) throws IOException {
        if (len > 0) {
            compCursor = 0;
            f.rc.release(off, len);
        }
    }

    private void writePiece(long g, int in, ByteBuffer part) throws IOException {
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
            long[] t = f.l2Table(tOff);
            long e = f.ext ? t[2 * l2i] : t[l2i];
            long bm = f.ext ? t[2 * l2i + 1] : 0;
            L2Entry old = L2Entry.decode(e, f.cb, f.ext);
            if (old instanceof L2Entry.Normal nm && nm.host() < (f.rc.endCluster << f.cb)
                    && (nm.copied() || f.rc.get(nm.host() >> f.cb) == 1)) {
                long host = f.checkHost(nm.host(), g);
                if (!f.ext) {
                    if (!nm.copied()) {
                        setEntry(tOff, t, l2i, e | L2Entry.COPIED, 0);
                    }
                    f.meta.unlock();
                    locked = false;
                    f.writeFully(host + in, part);
                    return true;
                }
                long touched = touched(in, n);
                if ((bm & touched) == touched) {
                    if (!nm.copied()) {
                        setEntry(tOff, t, l2i, e | L2Entry.COPIED, bm);
                    }
                    f.meta.unlock();
                    locked = false;
                    f.writeFully(host + in, part);
                    return true;
                }
                writeSubclusters(g, host, bm, in, part);
                setEntry(tOff, t, l2i, host | L2Entry.COPIED, (bm | touched) & ~(touched << 32));
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
                setEntry(tOff, t, l2i, host | L2Entry.COPIED, (bm | touched) & ~(touched << 32));
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
                f.meta.lock();
                locked = true;
                long tOff2 = l2ForWrite(l1i);
                long[] t2 = f.l2Table(tOff2);
                if (tOff2 != tOff || (f.ext ? t2[2 * l2i] : t2[l2i]) != e) {
                    f.rc.release(host, f.cs);
                    LOST_RACES.incrementAndGet();
                    return false;
                }
                setEntry(tOff2, t2, l2i, host | L2Entry.COPIED, f.ext ? ALL_ALLOC : 0);
            }
            release(old);
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

    void zeroOrDiscard(long offset, long length, boolean discard) throws IOException {
        withRetry(true, () -> {
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
                    writePiece(g, in, ByteBuffer.allocate(n));
                }
                pos += n;
            }
        });
    }

    /** Makes guest cluster {@code g} read as zeroes and frees its host cluster. */
    private void fullCluster(long g) throws IOException {
        int l1i = (int) (g / f.l2Entries);
        int l2i = (int) (g % f.l2Entries);
        f.meta.lock();
        try {
            boolean noBacking = f.backing == null && f.h.backingFile == null;
            if (f.l2Offset(f.l1[l1i], l1i) == 0 && noBacking) {
                return; // already reads as zeroes, no table needed
            }
            long tOff = l2ForWrite(l1i);
            long[] t = f.l2Table(tOff);
            long e = f.ext ? t[2 * l2i] : t[l2i];
            L2Entry old = L2Entry.decode(e, f.cb, f.ext);
            long newEntry = f.ext || f.h.version < 3 || noBacking && old instanceof L2Entry.Unallocated
                    ? 0 : L2Entry.ZERO;
            long newBm = f.ext ? ALL_ZERO : 0;
            if (newEntry == e && newBm == (f.ext ? t[2 * l2i + 1] : 0)) {
                return;
            }
            setEntry(tOff, t, l2i, newEntry, newBm);
            release(old);
        } finally {
            f.meta.unlock();
        }
    }

    void writeCompressed(long offset, byte[] cluster) throws IOException {
        if ((offset & (f.cs - 1)) != 0 || cluster.length != f.cs) {
            throw new io.jvirt.block.BlockException(f.name + ": compressed write at " + offset
                    + " of " + cluster.length + " bytes is not one aligned cluster of " + f.cs
                    + "; write whole clusters");
        }
        byte[] z = Compression.compress(f.h.compressionType, cluster);
        if (z == null) {
            write(offset, ByteBuffer.wrap(cluster, 0, (int) Math.min(f.cs, f.h.size - offset)));
            return;
        }
        withRetry(false, () -> {
            f.checkRange(offset, Math.min(f.cs, f.h.size - offset));
            long g = offset >> f.cb;
            int l1i = (int) (g / f.l2Entries);
            int l2i = (int) (g % f.l2Entries);
            f.meta.lock();
            try {
                long tOff = l2ForWrite(l1i);
                long[] t = f.l2Table(tOff);
                long e = f.ext ? t[2 * l2i] : t[l2i];
                long host = allocBytes(z.length);
                f.writeFully(host, z, 0, z.length);
                setEntry(tOff, t, l2i, L2Entry.compressed(host, z.length, f.cb), 0);
                release(L2Entry.decode(e, f.cb, f.ext));
            } finally {
                f.meta.unlock();
            }
        });
    }

    /** Packs compressed data into shared clusters, each touched cluster counted once per use. */
    private long allocBytes(int len) throws IOException {
        long cur = compCursor;
        if (cur != 0 && (cur & (f.cs - 1)) != 0 && (cur & (f.cs - 1)) + len <= f.cs) {
            f.rc.add(cur >> f.cb, 1);
            compCursor = cur + len;
            return cur;
        }
        int clusters = (len + f.cs - 1) / f.cs;
        long start = f.rc.allocate(clusters);
        compCursor = start + len;
        return start;
    }
}
