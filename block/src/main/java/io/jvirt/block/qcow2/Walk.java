package io.jvirt.block.qcow2;

import io.jvirt.block.BlockException;
import java.io.IOException;
import java.util.Arrays;

/**
 * Counts references to every host cluster by walking the metadata, the way qemu-img check
 * does: each L1 table (active and snapshots) counts its L2 tables, and each L2 table visit
 * counts its data clusters, so a data cluster shared by a snapshot has refcount 2.
 */
final class Walk {

    private final Qcow2File f;
    int[] counts = new int[1024];
    long highest = -1;
    final java.util.List<String> errors = new java.util.ArrayList<>();
    final long fileClusters;

    Walk(Qcow2File f) throws IOException {
        this.f = f;
        this.fileClusters = Math.max(f.rc.endCluster, (f.ch.size() + f.cs - 1) >> f.cb);
    }

    void inc(long cluster) {
        if (cluster < 0 || cluster > fileClusters + (1L << 20)) {
            if (errors.size() < 1000) {
                errors.add("ERROR reference to cluster " + cluster
                        + " far past the end of the file");
            }
            return;
        }
        if (cluster >= counts.length) {
            counts = Arrays.copyOf(counts, (int) Math.max(cluster + 1, counts.length * 2L));
        }
        counts[(int) cluster]++;
        highest = Math.max(highest, cluster);
    }

    int count(long cluster) {
        return cluster < counts.length ? counts[(int) cluster] : 0;
    }

    void incRange(long off, long len) {
        if (len > (1L << 32) || off < 0) {
            errors.add("ERROR range at 0x" + Long.toHexString(off) + " length " + len
                    + " is invalid");
            return;
        }
        for (long c = off >> f.cb; c <= (off + len - 1) >> f.cb; c++) {
            inc(c);
        }
    }

    private boolean valid(long off, String what) {
        if ((off & (f.cs - 1)) != 0 || (off >> f.cb) >= fileClusters + (1L << 20)) {
            errors.add("ERROR " + what + " offset=0x" + Long.toHexString(off)
                    + " is unaligned or far past the end of the file");
            return false;
        }
        return true;
    }

    /** Counts one L1 table's tree (not the L1 table clusters themselves). */
    void tree(long[] l1) throws IOException {
        for (int i = 0; i < l1.length; i++) {
            long off = l1[i] & L2Entry.OFFSET_MASK;
            if (off == 0 || !valid(off, "L2 table l1_index=" + i)) {
                continue;
            }
            inc(off >> f.cb);
            l2(f.tables.l2Table(off));
        }
    }

    void l2(long[] t) {
        int step = f.ext ? 2 : 1;
        for (int i = 0; i < t.length; i += step) {
            switch (L2Entry.decode(t[i], f.cb, f.ext)) {
                case L2Entry.Normal n -> {
                    if (valid(n.host(), "data cluster")) {
                        inc(n.host() >> f.cb);
                    }
                }
                case L2Entry.Zero z -> {
                    if (z.host() != 0 && valid(z.host(), "data cluster")) {
                        inc(z.host() >> f.cb);
                    }
                }
                case L2Entry.Compressed c -> {
                    if (c.host() >> f.cb < fileClusters + 1) {
                        incRange(c.host(), c.length());
                    } else {
                        errors.add("ERROR compressed cluster offset=0x"
                                + Long.toHexString(c.host()) + " is past the end of the file");
                    }
                }
                case L2Entry.Unallocated u -> { }
            }
        }
    }

    /** Counts everything the image references except the refcount structures. */
    void image(long[] activeL1, java.util.List<SnapshotInfo> snaps, long snapOff, int snapBytes)
            throws IOException {
        inc(0);
        tree(activeL1);
        for (SnapshotInfo s : snaps) {
            if (s.l1Size() > 0) {
                incRange(s.l1Offset(), 8L * s.l1Size());
                tree(f.readLongs(s.l1Offset(), s.l1Size()));
            }
        }
        if (snapBytes > 0) {
            incRange(snapOff, snapBytes);
        }
    }

    static BlockException overflow(Qcow2File f, long cluster, long count) {
        return new BlockException(f.name + ": cluster " + cluster + " needs refcount " + count
                + ", beyond the " + (1 << f.h.refcountOrder) + "-bit limit; convert the image "
                + "with -o refcount_bits=16");
    }
}
