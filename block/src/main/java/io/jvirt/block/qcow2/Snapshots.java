package io.jvirt.block.qcow2;

import io.jvirt.block.BlockException;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Internal snapshots and resize, each one {@link Commit} (qcow2.txt "Snapshots"). */
final class Snapshots {

    private final Qcow2File f;

    Snapshots(Qcow2File f) {
        this.f = f;
    }

    private SnapshotInfo find(String idOrName) throws BlockException {
        for (SnapshotInfo s : f.snapshots) {
            if (s.id().equals(idOrName)) {
                return s;
            }
        }
        for (SnapshotInfo s : f.snapshots) {
            if (s.name().equals(idOrName)) {
                return s;
            }
        }
        throw new BlockException(f.name + ": no snapshot '" + idOrName
                + "'; list them with 'jvirt img snapshot -l " + f.name + "'");
    }

    SnapshotInfo create(String name) throws IOException {
        f.checkWritable();
        if (name == null || name.isEmpty() || name.length() > 65535) {
            throw new BlockException(f.name + ": snapshot name '" + name
                    + "' is empty or too long; give 1..65535 characters");
        }
        f.rw.writeLock().lock();
        try {
            for (SnapshotInfo s : f.snapshots) {
                if (s.name().equals(name)) {
                    throw new BlockException(f.name + ": a snapshot named '" + name
                            + "' already exists; pick another name or delete it first");
                }
            }
            long id = 1;
            for (SnapshotInfo s : f.snapshots) {
                try {
                    id = Math.max(id, Long.parseLong(s.id()) + 1);
                } catch (NumberFormatException e) {
                    // non-numeric IDs from other tools do not constrain ours
                }
            }
            Commit c = new Commit(f);
            long[] copy = f.l1.clone();
            for (int i = 0; i < copy.length; i++) {
                copy[i] &= ~L2Entry.COPIED;
            }
            long l1Off = copy.length == 0 ? 0 : c.place(Commit.longs(copy));
            Instant now = Instant.now();
            SnapshotInfo s = new SnapshotInfo(Long.toString(id), name, l1Off, copy.length,
                    now.getEpochSecond(), now.getNano() / 1000 * 1000, 0, 0, f.h.size, 0,
                    new byte[0]);
            List<SnapshotInfo> snaps = new ArrayList<>(f.snapshots);
            snaps.add(s);
            c.apply(f.h.size, f.l1.clone(), snaps);
            return f.snapshots.get(f.snapshots.size() - 1);
        } finally {
            f.rw.writeLock().unlock();
        }
    }

    void apply(String idOrName) throws IOException {
        f.checkWritable();
        f.rw.writeLock().lock();
        try {
            SnapshotInfo s = find(idOrName);
            long size = s.diskSize() >= 0 ? s.diskSize() : f.h.size;
            long[] l1 = f.readLongs(s.l1Offset(), s.l1Size());
            int need = l1Needed(size);
            if (l1.length < need) {
                l1 = java.util.Arrays.copyOf(l1, need);
            }
            new Commit(f).apply(size, l1, List.copyOf(f.snapshots));
        } finally {
            f.rw.writeLock().unlock();
        }
    }

    void delete(String idOrName) throws IOException {
        f.checkWritable();
        f.rw.writeLock().lock();
        try {
            SnapshotInfo s = find(idOrName);
            List<SnapshotInfo> snaps = new ArrayList<>(f.snapshots);
            snaps.remove(s);
            new Commit(f).apply(f.h.size, f.l1.clone(), snaps);
        } finally {
            f.rw.writeLock().unlock();
        }
    }

    int l1Needed(long size) {
        long per = (long) f.cs * f.l2Entries;
        return (int) ((size + per - 1) / per);
    }

    void resize(long newSize) throws IOException {
        f.checkWritable();
        if (newSize < 0) {
            throw new BlockException(f.name + ": size " + newSize + " is negative; give a size >= 0");
        }
        if ((long) l1Needed(newSize) * 8 > Qcow2File.MAX_L1_BYTES) {
            throw new BlockException(f.name + ": size " + newSize + " needs an L1 table larger than "
                    + Qcow2File.MAX_L1_BYTES + " bytes; use a larger cluster_size");
        }
        if (f.h.version < 3 && !f.snapshots.isEmpty() && newSize != f.h.size) {
            throw new BlockException(f.name + ": cannot resize a compat=0.10 image that has "
                    + "snapshots (qemu cannot read the result); delete the snapshots or "
                    + "'jvirt img amend -o compat=1.1' first");
        }
        f.rw.writeLock().lock();
        try {
            Commit c = new Commit(f);
            int need = l1Needed(newSize);
            long[] l1 = java.util.Arrays.copyOf(f.l1, Math.max(need, newSize >= f.h.size
                    ? f.l1.length : need));
            if (newSize < f.h.size) {
                // Drop mappings past the new end in the last, partly kept L2 table.
                long firstGone = (newSize + f.cs - 1) >> f.cb;
                int l1i = (int) (firstGone / f.l2Entries);
                int l2i = (int) (firstGone % f.l2Entries);
                if (l2i != 0 && l1i < l1.length) {
                    long off = f.tables.l2Offset(l1[l1i], l1i);
                    if (off != 0) {
                        long[] t = f.tables.l2Table(off).clone();
                        int step = f.ext ? 2 : 1;
                        java.util.Arrays.fill(t, l2i * step, t.length, 0L);
                        long n = c.place(Commit.longs(t));
                        f.tables.cacheL2(n, t);
                        l1[l1i] = n;
                    }
                }
                if ((newSize & (f.cs - 1)) != 0) {
                    // the tail of the last kept cluster must read as zeroes if grown again
                    zeroTail(c, l1, newSize);
                }
            }
            c.apply(newSize, l1, List.copyOf(f.snapshots));
        } finally {
            f.rw.writeLock().unlock();
        }
    }

    /** Copies the last partial cluster with its tail zeroed, so a later grow reads zeroes. */
    private void zeroTail(Commit c, long[] l1, long newSize) throws IOException {
        long g = newSize >> f.cb;
        int in = (int) (newSize & (f.cs - 1));
        int l1i = (int) (g / f.l2Entries);
        int l2i = (int) (g % f.l2Entries);
        long off = f.tables.l2Offset(l1[l1i], l1i);
        if (off == 0) {
            return;
        }
        long[] t = f.tables.l2Table(off);
        long e = f.ext ? t[2 * l2i] : t[l2i];
        long bm = f.ext ? t[2 * l2i + 1] : 0;
        if (L2Entry.decode(e, f.cb, f.ext) instanceof L2Entry.Unallocated && bm == 0
                && f.backing == null) {
            return;
        }
        byte[] buf = new byte[f.cs];
        f.readCluster(g, e, bm, 0, java.nio.ByteBuffer.wrap(buf, 0, in));
        long host = c.place(buf);
        long[] nt = t.clone();
        if (f.ext) {
            nt[2 * l2i] = host;
            nt[2 * l2i + 1] = 0xffffffffL;
        } else {
            nt[l2i] = host;
        }
        long n = c.place(Commit.longs(nt));
        f.tables.cacheL2(n, nt);
        l1[l1i] = n;
    }

    /**
     * compat=0.10: zero clusters become unallocated (or, with a backing file, allocated
     * clusters of zeroes) in fresh L2 copies, and the version changes in the same header switch.
     */
    static void downgrade(Qcow2File f) throws IOException {
        Header h = f.h;
        if (h.extendedL2() || h.compressionType != 0 || h.refcountOrder != 4
                || (h.compatible & Header.COMPAT_LAZY_REFCOUNTS) != 0) {
            throw new BlockException(f.name + ": cannot downgrade to compat=0.10 with extended_l2,"
                    + " zstd, lazy_refcounts or refcount_bits other than 16; convert instead");
        }
        Commit c = new Commit(f);
        boolean backing = h.backingFile != null;
        java.util.Map<Long, Long> moved = new java.util.HashMap<>();
        long[] active = expandZeros(f, c, f.l1.clone(), moved, backing);
        List<SnapshotInfo> snaps = new ArrayList<>();
        for (SnapshotInfo s : f.snapshots) {
            long[] l1 = f.readLongs(s.l1Offset(), s.l1Size());
            long[] n = expandZeros(f, c, l1.clone(), moved, backing);
            snaps.add(java.util.Arrays.equals(n, l1) ? s
                    : s.withL1(c.place(Commit.longs(n)), s.l1Size()));
        }
        h.version = 2;
        h.incompatible = 0;
        h.compatible = 0;
        h.autoclear = 0;
        h.headerLength = Header.V2_LENGTH;
        c.apply(h.size, active, snaps);
    }

    private static long[] expandZeros(Qcow2File f, Commit c, long[] l1,
                                      java.util.Map<Long, Long> moved, boolean backing)
            throws IOException {
        for (int i = 0; i < l1.length; i++) {
            long off = f.tables.l2Offset(l1[i], i);
            if (off == 0) {
                continue;
            }
            Long done = moved.get(off);
            if (done != null) {
                l1[i] = done;
                continue;
            }
            long[] t = f.tables.l2Table(off);
            long[] n = t.clone();
            boolean changed = false;
            for (int j = 0; j < n.length; j++) {
                if (L2Entry.decode(n[j], f.cb, false) instanceof L2Entry.Zero) {
                    n[j] = backing ? c.place(new byte[f.cs]) : 0;
                    changed = true;
                }
            }
            if (changed) {
                long no = c.place(Commit.longs(n));
                f.tables.cacheL2(no, n);
                moved.put(off, no);
                l1[i] = no;
            }
        }
        return l1;
    }
}
