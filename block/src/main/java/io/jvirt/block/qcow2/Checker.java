package io.jvirt.block.qcow2;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * qemu-img check for qcow2: recomputes every cluster's references (see {@link Walk}),
 * compares with the refcount blocks, and checks the COPIED flags of the active tables.
 * Repair of leaks lowers refcounts in place; repair of everything rebuilds via {@link Commit}.
 */
final class Checker {

    private final Qcow2File f;

    Checker(Qcow2File f) {
        this.f = f;
    }

    Qcow2Image.CheckResult check(Qcow2Image.Repair repair) throws IOException {
        Qcow2Image.CheckResult r = scan();
        if (repair == Qcow2Image.Repair.NONE || r.leaks() == 0 && r.corruptions() == 0) {
            return r;
        }
        f.checkWritable();
        f.meta.lock();
        try {
            if (repair == Qcow2Image.Repair.ALL) {
                new Commit(f).run();
            } else if (r.leaks() > 0) {
                fixLeaks();
            }
        } finally {
            f.meta.unlock();
        }
        Qcow2Image.CheckResult after = scan();
        long fixedLeaks = repair == Qcow2Image.Repair.ALL || r.leaks() > 0
                ? r.leaks() - after.leaks() : 0;
        long fixedCorruptions = r.corruptions() - after.corruptions();
        return new Qcow2Image.CheckResult(after.corruptions(), after.leaks(), after.checkErrors(),
                Math.max(0, fixedCorruptions), Math.max(0, fixedLeaks), after.totalClusters(),
                after.allocatedClusters(), after.fragmentedClusters(), after.compressedClusters(),
                after.imageEndOffset(), r.messages());
    }

    private Walk walkAll() throws IOException {
        Walk w = new Walk(f);
        w.image(f.l1, f.snapshots, f.h.snapshotsOffset,
                f.snapshots.isEmpty() ? 0 : SnapshotTable.size(f.snapshots));
        if (f.h.l1Size > 0) {
            w.incRange(f.h.l1Offset, 8L * f.h.l1Size);
        }
        w.incRange(f.rc.tableOffset, (long) f.rc.table.length * 8);
        for (long e : f.rc.table) {
            long off = e & L2Entry.OFFSET_MASK;
            if (off != 0) {
                w.inc(off >> f.cb);
            }
        }
        return w;
    }

    private void fixLeaks() throws IOException {
        Walk w = walkAll();
        long end = Math.max(w.highest + 1, f.rc.endCluster);
        for (long c = 0; c < end; c++) {
            long have = f.rc.get(c);
            if (have > w.count(c)) {
                f.rc.set(c, w.count(c));
            }
        }
        f.sync(true);
    }

    private Qcow2Image.CheckResult scan() throws IOException {
        List<String> msgs = new ArrayList<>();
        long corruptions = 0;
        long leaks = 0;
        Walk w;
        f.meta.lock();
        try {
            w = walkAll();
            msgs.addAll(w.errors);
            corruptions += w.errors.size();
            long end = Math.max(w.highest + 1, f.rc.endCluster);
            long highestUsed = -1;
            for (long c = 0; c < end; c++) {
                long have;
                try {
                    have = f.rc.get(c);
                } catch (Refcounts.TableFull e) {
                    have = 0;
                }
                long want = w.count(c);
                if (have != 0 || want != 0) {
                    highestUsed = c;
                }
                if (have > want) {
                    msgs.add("Leaked cluster " + c + " refcount=" + have + " reference=" + want);
                    leaks++;
                } else if (have < want) {
                    msgs.add("ERROR cluster " + c + " refcount=" + have + " reference=" + want);
                    corruptions++;
                }
            }
            corruptions += copiedFlags(msgs);
            // Fragmentation statistics over the active table, as qemu computes them.
            long allocated = 0;
            long fragmented = 0;
            long compressed = 0;
            long nextContiguous = 0;
            int step = f.ext ? 2 : 1;
            for (long l1e : f.l1) {
                long off = l1e & L2Entry.OFFSET_MASK;
                if (off == 0 || (off & (f.cs - 1)) != 0) {
                    continue;
                }
                long[] t = f.tables.l2Table(off);
                for (int i = 0; i < t.length; i += step) {
                    switch (L2Entry.decode(t[i], f.cb, f.ext)) {
                        case L2Entry.Compressed c -> {
                            allocated++;
                            compressed++;
                            fragmented++;
                        }
                        case L2Entry.Normal n -> {
                            allocated++;
                            if (nextContiguous != 0 && n.host() != nextContiguous) {
                                fragmented++;
                            }
                            nextContiguous = n.host() + f.cs;
                        }
                        case L2Entry.Zero z -> {
                            if (z.host() != 0) {
                                allocated++;
                                if (nextContiguous != 0 && z.host() != nextContiguous) {
                                    fragmented++;
                                }
                                nextContiguous = z.host() + f.cs;
                            }
                        }
                        case L2Entry.Unallocated u -> { }
                    }
                }
            }
            long total = (f.h.size + f.cs - 1) >> f.cb;
            return new Qcow2Image.CheckResult(corruptions, leaks, 0, 0, 0, total, allocated,
                    fragmented, compressed, (highestUsed + 1) << f.cb, msgs);
        } finally {
            f.meta.unlock();
        }
    }

    private long copiedFlags(List<String> msgs) throws IOException {
        long bad = 0;
        int step = f.ext ? 2 : 1;
        for (int i = 0; i < f.l1.length; i++) {
            long l1e = f.l1[i];
            long off = l1e & L2Entry.OFFSET_MASK;
            if (off == 0 || (off & (f.cs - 1)) != 0) {
                continue;
            }
            long r = f.rc.get(off >> f.cb);
            if ((r == 1) != ((l1e & L2Entry.COPIED) != 0)) {
                msgs.add("ERROR OFLAG_COPIED L2 cluster: l1_index=" + i + " l1_entry="
                        + Long.toHexString(l1e) + " refcount=" + r);
                bad++;
            }
            long[] t = f.tables.l2Table(off);
            for (int j = 0; j < t.length; j += step) {
                long e = t[j];
                long host = switch (L2Entry.decode(e, f.cb, f.ext)) {
                    case L2Entry.Normal n -> n.host();
                    case L2Entry.Zero z -> z.host();
                    default -> 0;
                };
                if (host == 0 || (host & (f.cs - 1)) != 0) {
                    continue;
                }
                long dr = f.rc.get(host >> f.cb);
                if ((dr == 1) != ((e & L2Entry.COPIED) != 0)) {
                    msgs.add("ERROR OFLAG_COPIED data cluster: l2_entry=" + Long.toHexString(e)
                            + " refcount=" + dr);
                    bad++;
                }
            }
        }
        return bad;
    }
}
