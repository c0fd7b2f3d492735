package io.jvirt.block.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Replaces several tables at once, crash-safely: new tables (L1, copied L2 tables, snapshot
 * table, refcount table and blocks) go to clusters past the end of the file, then one write of
 * the header switches to them. A crash before the switch leaves the old image intact (the new
 * clusters are unreferenced with refcount 0: not even leaks); after it, the new image is whole.
 * The refcounts are rebuilt from a walk, so this also repairs leaks and wrong counts. Callers
 * hold the exclusive lock.
 */
final class Commit {

    private final Qcow2File f;
    private long next;        // next free cluster past everything

    Commit(Qcow2File f) throws IOException {
        this.f = f;
        this.next = Math.max(f.rc.endCluster, (f.ch.size() + f.cs - 1) >> f.cb);
    }

    /** Writes {@code data} to fresh clusters; returns the byte offset. */
    long place(byte[] data) throws IOException {
        long off = next << f.cb;
        next += Math.max(1, (data.length + f.cs - 1) >> f.cb);
        f.writeFully(off, data, 0, data.length);
        f.rc.endCluster = Math.max(f.rc.endCluster, next);
        return off;
    }

    static byte[] longs(long[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 8);
        b.asLongBuffer().put(v);
        return b.array();
    }

    /** Rebuilds refcounts (and COPIED flags) for the current state. */
    void run() throws IOException {
        apply(f.h.size, f.l1.clone(), List.copyOf(f.snapshots));
    }

    /** Switches the image to {@code size}, active L1 entries {@code l1} and {@code snaps}. */
    void apply(long size, long[] l1, List<SnapshotInfo> snaps) throws IOException {
        f.meta.lock();
        try {
            doApply(size, l1, snaps);
        } finally {
            f.meta.unlock();
        }
    }

    private void doApply(long size, long[] l1, List<SnapshotInfo> snaps) throws IOException {
        // The walk below must see the tables as they are on disk: write the changes back first.
        f.tables.writeBack(true);
        f.compressed.resetCursor();
        byte[] st = SnapshotTable.serialize(snaps, size);
        long snapOff = snaps.isEmpty() ? 0 : place(st);
        Walk w = new Walk(f);
        w.image(l1, snaps, snapOff, snaps.isEmpty() ? 0 : st.length);
        // Active L2 tables whose COPIED flags disagree with the counts get fresh copies.
        int step = f.ext ? 2 : 1;
        for (int i = 0; i < l1.length; i++) {
            long off = l1[i] & L2Entry.OFFSET_MASK;
            if (off == 0 || (off & (f.cs - 1)) != 0) {
                continue;
            }
            long[] t = f.tables.l2Table(off);
            long[] want = t.clone();
            for (int j = 0; j < want.length; j += step) {
                want[j] = withFlag(want[j], w);
            }
            if (!java.util.Arrays.equals(t, want)) {
                long n = place(longs(want));
                f.tables.cacheL2(n, want);
                w.counts[(int) (off >> f.cb)]--;
                w.inc(n >> f.cb);
                l1[i] = n;
            }
        }
        long[] newL1 = new long[l1.length];
        for (int i = 0; i < l1.length; i++) {
            long off = l1[i] & L2Entry.OFFSET_MASK;
            newL1[i] = off == 0 ? 0 : off | (w.count(off >> f.cb) == 1 ? L2Entry.COPIED : 0);
        }
        long l1Off = newL1.length == 0 ? 0 : place(longs(newL1));
        if (newL1.length > 0) {
            w.incRange(l1Off, newL1.length * 8L);
        }
        // Refcount structure at the end: blocks, then the table; iterate to a fixed point.
        Refcounts fmt = f.rc;
        int perBlock = fmt.perBlock;
        long blocks = 0;
        long tableClusters = Math.max(1, f.h.refcountTableClusters);
        while (true) {
            long total = next + blocks + tableClusters;
            long needBlocks = (total + perBlock - 1) / perBlock;
            long needTable = Math.max(tableClusters, (needBlocks * 2 * 8 + f.cs - 1) >> f.cb);
            if (needBlocks == blocks && needTable == tableClusters) {
                break;
            }
            blocks = needBlocks;
            tableClusters = needTable;
        }
        long blocksStart = next;
        long tableStart = next + blocks;
        for (long c = blocksStart; c < tableStart + tableClusters; c++) {
            w.inc(c);
        }
        long maxRc = fmt.maxRefcount;
        long[] counts = new long[(int) (tableStart + tableClusters)];
        for (int c = 0; c < counts.length; c++) {
            counts[c] = w.count(c);
            if (counts[c] > maxRc) {
                throw Walk.overflow(f, c, counts[c]);
            }
        }
        long[] table = new long[(int) (tableClusters * f.cs / 8)];
        for (int b = 0; b < blocks; b++) {
            long off = (blocksStart + b) << f.cb;
            f.writeFully(off, Refcounts.encodeBlock(counts, b * perBlock, f.cs, f.h.refcountOrder),
                    0, f.cs);
            table[b] = off;
        }
        long tableOff = tableStart << f.cb;
        f.writeFully(tableOff, longs(table), 0, table.length * 8);
        f.sync(true);
        // The switch: one write of the header prefix.
        Header h = f.h;
        long oldSize = h.size;
        h.size = size;
        h.l1Size = newL1.length;
        h.l1Offset = l1Off;
        h.refcountTableOffset = tableOff;
        h.refcountTableClusters = (int) tableClusters;
        h.nbSnapshots = snaps.size();
        h.snapshotsOffset = snapOff;
        try {
            f.writeHeader();
        } catch (IOException | RuntimeException e) {
            h.size = oldSize;
            throw e;
        }
        f.sync(true);
        f.l1 = newL1;
        f.tables.reset();
        f.snapshots = new java.util.ArrayList<>(snaps);
        f.rc.reset(tableOff, table);
        f.rc.endCluster = tableStart + tableClusters;
    }

    private long withFlag(long e, Walk w) {
        L2Entry d = L2Entry.decode(e, f.cb, f.ext);
        long host = switch (d) {
            case L2Entry.Normal n -> n.host();
            case L2Entry.Zero z -> z.host();
            default -> 0;
        };
        if (d instanceof L2Entry.Compressed) {
            return e & ~L2Entry.COPIED;
        }
        if (host == 0) {
            return e & ~L2Entry.COPIED;
        }
        return w.count(host >> f.cb) == 1 ? e | L2Entry.COPIED : e & ~L2Entry.COPIED;
    }
}
