package io.jvirt.block.qcow2;

import io.jvirt.block.BlockException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The mapping tables of {@link Qcow2File} in memory: the active L1 table's entries, a cache of
 * L2 tables, the changes not yet written to the file, and the host clusters waiting to be freed.
 * Callers hold the image's metadata lock ({@code meta}).
 *
 * <p>Power-loss ordering, as QEMU's qcow2 driver keeps it with its metadata caches (qcow2.txt
 * only says what must hold on disk; this is how we keep it true at every instant):
 * <ol>
 * <li>An allocation raises the new cluster's refcount and fills the cluster (a new L2 table's
 *     initial contents included) by writing through to the file. The L1/L2 entries that point
 *     to it change only here, in memory (dirty).
 * <li>{@link #writeBack} (on flush, close, before any whole-image change, and when too much is
 *     dirty): fdatasync, so that every refcount and data cluster a dirty entry points to is
 *     durable; then write the dirty L2 tables, then the dirty L1 entries; fdatasync again.
 * <li>Only then are the references those entries dropped released ({@link #freeLater}):
 *     refcounts are lowered and clusters that reach zero are punched out of the host file.
 *     Until then a dropped cluster keeps its refcount, so it cannot be handed out again while an
 *     old mapping of it may still be on disk, or in use by a request that looked it up earlier.
 * </ol>
 * A power loss therefore leaves at most leaked clusters (refcount above the references), and
 * writes that were not flushed read back as before them (PowerLossTest replays a workload's
 * writes and syncs as power losses). Releasing also needs the image's exclusive lock: it waits
 * for every request in flight that might still read or write a cluster through an old mapping
 * (RaceTest: a reader of a compressed cluster while a writer replaces it).
 */
final class Tables {

    private static final long L2_CACHE_BYTES = 32L << 20;
    /** Dirty L2 bytes that trigger a write-back after a request (they stay pinned until then). */
    private static final long DIRTY_LIMIT = 16L << 20;
    /** Pending releases that trigger a write-back after a request. */
    private static final int FREES_LIMIT = 8192;

    private final Qcow2File f;
    private final Map<Long, long[]> cache;
    private final Map<Long, long[]> dirtyL2 = new HashMap<>();
    private final BitSet dirtyL1 = new BitSet();
    private final List<long[]> frees = new ArrayList<>();     // {offset, length}
    private volatile boolean overLimit;

    Tables(Qcow2File f) {
        this.f = f;
        int cs = f.cs;
        this.cache = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, long[]> e) {
                return size() * (long) cs > L2_CACHE_BYTES;
            }
        };
    }

    /** Validated L2 table offset from an L1 entry, 0 when none. */
    long l2Offset(long l1e, int l1i) throws BlockException {
        long off = l1e & L2Entry.OFFSET_MASK;
        if (off != 0 && ((l1e & (f.cs - 1) & ~0L) != 0 || (l1e & 0x7f000000000001ffL) != 0
                || off + f.cs > (f.rc.endCluster << f.cb))) {
            throw new BlockException(f.name + ": L1 entry " + l1i + " (0x" + Long.toHexString(l1e)
                    + ") points to an unaligned L2 table or past the end of the file; run "
                    + "'jvirt img check -r all " + f.name + "'");
        }
        return off;
    }

    /** The L2 table at {@code off}: entries, or (extended) entry/bitmap pairs. */
    long[] l2Table(long off) throws IOException {
        long[] t = dirtyL2.get(off);
        if (t == null) {
            t = cache.get(off);
        }
        if (t == null) {
            t = f.readLongs(off, f.cs / 8);
            cache.put(off, t);
        }
        return t;
    }

    /** Caches a table just written to the file at {@code off}. */
    void cacheL2(long off, long[] t) {
        cache.put(off, t);
    }

    /** Looks up guest cluster {@code g}: {entry, bitmap}, zeros when unmapped. */
    long[] lookup(long g) throws IOException {
        int l1i = (int) (g / f.l2Entries);
        int l2i = (int) (g % f.l2Entries);
        f.meta.lock();
        try {
            if (l1i >= f.l1.length) {
                return new long[2];
            }
            long off = l2Offset(f.l1[l1i], l1i);
            if (off == 0) {
                return new long[2];
            }
            long[] t = l2Table(off);
            return f.ext ? new long[] {t[2 * l2i], t[2 * l2i + 1]} : new long[] {t[l2i], 0};
        } finally {
            f.meta.unlock();
        }
    }

    /**
     * How many guest clusters after {@code g} (at most {@code max}) are data clusters stored
     * right after {@code host}, in order: a run that one read can fetch. Standard entries only.
     */
    int contiguousAfter(long g, long host, int max) throws IOException {
        f.meta.lock();
        try {
            int k = 0;
            while (k < max) {
                long n = g + k + 1;
                int l1i = (int) (n / f.l2Entries);
                if (l1i >= f.l1.length) {
                    break;
                }
                long off = l2Offset(f.l1[l1i], l1i);
                long e = off == 0 ? 0 : l2Table(off)[(int) (n % f.l2Entries)];
                if (!(L2Entry.decode(e, f.cb, false) instanceof L2Entry.Normal nm)
                        || nm.host() != host + (long) (k + 1) * f.cs) {
                    break;
                }
                k++;
            }
            return k;
        } finally {
            f.meta.unlock();
        }
    }

    /** The entry of guest cluster {@code l2i} in table {@code t}. */
    long entry(long[] t, int l2i) {
        return f.ext ? t[2 * l2i] : t[l2i];
    }

    /** Changes an active L1 entry (written back later). */
    void setL1(int l1i, long v) {
        f.l1[l1i] = v;
        dirtyL1.set(l1i);
    }

    /** Changes an L2 entry of table {@code t} at {@code tOff} (written back later). */
    void setEntry(long tOff, long[] t, int l2i, long entry, long bitmap) {
        if (f.ext) {
            t[2 * l2i] = entry;
            t[2 * l2i + 1] = bitmap;
        } else {
            t[l2i] = entry;
        }
        if (dirtyL2.put(tOff, t) == null && dirtyL2.size() * (long) f.cs > DIRTY_LIMIT) {
            overLimit = true;
        }
    }

    /** Queues the release of the host clusters {@code old} pointed to (see the class comment). */
    void freeLater(L2Entry old) {
        switch (old) {
            case L2Entry.Normal n -> freeLater(n.host(), f.cs);
            case L2Entry.Zero z -> freeLater(z.host(), z.host() == 0 ? 0 : f.cs);
            case L2Entry.Compressed c -> freeLater(c.host(), c.length());
            case L2Entry.Unallocated u -> { }
        }
    }

    /** Queues dropping one reference from each cluster of [off, off+len). */
    void freeLater(long off, long len) {
        if (len > 0) {
            long[] last = frees.isEmpty() ? null : frees.get(frees.size() - 1);
            if (last != null && last[0] + last[1] == off && ((off | len) & (f.cs - 1)) == 0) {
                last[1] += len; // a discarded run of neighbouring clusters: one entry
                return;
            }
            frees.add(new long[] {off, len});
            if (frees.size() > FREES_LIMIT) {
                overLimit = true;
            }
        }
    }

    /** True when so much waits in memory that the next request should write it back. */
    boolean needsWriteBack() {
        return overLimit;
    }

    /**
     * Writes the dirty tables back and releases the queued clusters, in the order of the class
     * comment; {@code sync} false skips the fdatasyncs (qemu's cache=unsafe). The caller holds
     * the exclusive lock. Afterwards, with {@code sync}, every completed write is durable.
     */
    void writeBack(boolean sync) throws IOException {
        f.meta.lock();
        try {
            if (!dirtyL2.isEmpty() || !dirtyL1.isEmpty()) {
                if (sync) {
                    f.sync(false);
                }
                for (Map.Entry<Long, long[]> e : dirtyL2.entrySet()) {
                    f.writeFully(e.getKey(), ByteBuffer.wrap(Commit.longs(e.getValue())));
                    cache.put(e.getKey(), e.getValue());
                }
                dirtyL2.clear();
                writeL1();
            }
            if (sync) {
                f.sync(false);
            }
            releaseQueued();
            overLimit = false;
        } finally {
            f.meta.unlock();
        }
    }

    /** Writes the dirty L1 entries, one write per run of neighbours. */
    private void writeL1() throws IOException {
        for (int i = dirtyL1.nextSetBit(0); i >= 0; ) {
            int end = dirtyL1.nextClearBit(i);
            ByteBuffer b = ByteBuffer.allocate(8 * (end - i));
            for (int j = i; j < end; j++) {
                b.putLong(f.l1[j]);
            }
            f.writeFully(f.h.l1Offset + 8L * i, b.flip());
            i = dirtyL1.nextSetBit(end);
        }
        dirtyL1.clear();
    }

    /** Lowers the queued refcounts; clusters that reach zero are punched out of the host file. */
    private void releaseQueued() throws IOException {
        if (frees.isEmpty()) {
            return;
        }
        f.compressed.resetCursor();
        long runStart = -1;
        long runEnd = -1;
        for (long[] r : frees) {
            for (long c = r[0] >> f.cb; c <= (r[0] + r[1] - 1) >> f.cb; c++) {
                long n = f.rc.get(c);
                if (n <= 0) {
                    continue;
                }
                f.rc.set(c, n - 1);
                if (n == 1 && f.host.sparse()) {
                    if (c == runEnd) {
                        runEnd++;
                    } else {
                        punch(runStart, runEnd);
                        runStart = c;
                        runEnd = c + 1;
                    }
                }
            }
        }
        punch(runStart, runEnd);
        frees.clear();
    }

    private void punch(long from, long to) throws IOException {
        if (from >= 0 && to > from) {
            f.host.punchHole(from << f.cb, (to - from) << f.cb);
        }
    }

    /** Forgets cached tables (after the image switched to new ones); nothing may be dirty. */
    void reset() {
        cache.clear();
        dirtyL2.clear();
        dirtyL1.clear();
        frees.clear();
        overLimit = false;
    }
}
