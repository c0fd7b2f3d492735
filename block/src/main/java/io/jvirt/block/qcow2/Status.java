package io.jvirt.block.qcow2;

import io.jvirt.block.Extent;
import java.io.IOException;

/** Allocation status of guest ranges for {@code map}, {@code convert} and {@code compare}. */
final class Status {

    private Status() {
    }

    static Extent of(Qcow2File f, long offset, long maxLength) throws IOException {
        f.checkRange(offset, 0);
        long end = Math.min(f.h.size, offset + maxLength);
        Extent first = null;
        long pos = offset;
        while (pos < end) {
            long g = pos >> f.cb;
            int in = (int) (pos & (f.cs - 1));
            int n = (int) Math.min(end - pos, f.cs - in);
            long[] e = f.tables.lookup(g);
            Extent x = piece(f, g, e[0], e[1], pos, in, n);
            if (first == null) {
                first = x;
            } else if (same(first, x)) {
                first = first.withLength(first.length() + x.length());
            } else {
                break;
            }
            if (x.length() < n) {
                break;
            }
            pos += n;
        }
        return first == null ? new Extent(offset, 0, false, true, 0, false, -1, null) : first;
    }

    private static boolean same(Extent a, Extent b) {
        return a.data() == b.data() && a.zero() == b.zero() && a.depth() == b.depth()
                && a.present() == b.present() && (a.file() == null ? b.file() == null
                : a.file().equals(b.file()))
                && (a.hostOffset() < 0 ? b.hostOffset() < 0
                : b.hostOffset() == a.hostOffset() + a.length());
    }

    private static Extent piece(Qcow2File f, long g, long entry, long bm, long pos, int in, int n)
            throws IOException {
        L2Entry d = L2Entry.decode(entry, f.cb, f.ext);
        if (f.ext && !(d instanceof L2Entry.Compressed)) {
            int sc = in >> f.scBits;
            int scEnd = Math.min(in + n, (sc + 1) << f.scBits);
            int len = scEnd - in;
            if ((bm >>> sc & 1) != 0 && d instanceof L2Entry.Normal nm) {
                return new Extent(pos, len, true, false, 0, true, nm.host() + in, f.name);
            }
            if ((bm >>> (32 + sc) & 1) != 0) {
                return new Extent(pos, len, false, true, 0, true, -1, null);
            }
            return unallocated(f, pos, len);
        }
        return switch (d) {
            case L2Entry.Normal nm -> new Extent(pos, n, true, false, 0, true, nm.host() + in, f.name);
            case L2Entry.Compressed c -> new Extent(pos, n, true, false, 0, true, -1, f.name);
            case L2Entry.Zero z -> new Extent(pos, n, false, true, 0, true, -1, null);
            case L2Entry.Unallocated u -> unallocated(f, pos, n);
        };
    }

    private static Extent unallocated(Qcow2File f, long pos, int n) throws IOException {
        if (f.backing != null && pos < f.backing.size()) {
            Extent b = f.backing.status(pos, Math.min(n, f.backing.size() - pos));
            return new Extent(pos, b.length(), b.data(), b.zero(), b.depth() + 1, b.present(),
                    b.hostOffset(), b.file());
        }
        return new Extent(pos, n, false, true, f.backing != null ? 1 : 0, false, -1, null);
    }
}
