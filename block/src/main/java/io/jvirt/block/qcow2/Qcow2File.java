package io.jvirt.block.qcow2;

import io.jvirt.block.BlockDevice;
import io.jvirt.block.BlockException;
import io.jvirt.block.Extent;
import io.jvirt.block.Images;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * {@link Qcow2Image} over a FileChannel. Locking: every request holds {@code rw} shared;
 * structural changes (snapshots, resize, table growth, cluster-freeing zero/discard) hold it
 * exclusive. {@code meta} guards the L1/L2/refcount state; data transfers to clusters that are
 * already exclusively owned run outside it.
 */
final class Qcow2File implements Qcow2Image {

    static final int MAX_L1_BYTES = 32 << 20;     // qemu's QCOW_MAX_L1_SIZE
    static final int MAX_CHAIN = 64;              // backing chain depth limit
    private static final long L2_CACHE_BYTES = 32L << 20;

    final Path path;
    final String name;
    final FileChannel ch;
    final boolean readOnly;
    final Header h;
    final int cb;
    final int cs;
    final boolean ext;
    final int l2Entries;
    final int scBits;                              // subcluster size bits (extended L2)
    long[] l1;
    final Refcounts rc;
    List<SnapshotInfo> snapshots;
    BlockDevice backing;
    final boolean backingOpened;
    final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
    final ReentrantLock meta = new ReentrantLock();
    private final Map<Long, long[]> l2cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, long[]> e) {
            return size() * (long) cs > L2_CACHE_BYTES;
        }
    };
    final Writer writer;
    boolean dirtyByUs;
    private volatile boolean closed;

    private Qcow2File(Path path, FileChannel ch, boolean readOnly, Header h, long fileSize,
                      long[] rt, boolean openBacking, int depth) throws IOException {
        this.path = path;
        this.name = path.toString();
        this.ch = ch;
        this.readOnly = readOnly;
        this.h = h;
        this.cb = h.clusterBits;
        this.cs = h.clusterSize();
        this.ext = h.extendedL2();
        this.l2Entries = ext ? cs / 16 : cs / 8;
        this.scBits = cb - 5;
        this.rc = new Refcounts(this, cb, h.refcountOrder, h.refcountTableOffset, rt, fileSize);
        this.backingOpened = openBacking;
        this.writer = new Writer(this);
        if (ext && cs < 16384) {
            throw new BlockException(name + ": extended L2 entries with cluster size " + cs
                    + " are invalid (minimum 16384); the image is corrupt");
        }
        long needL1 = (h.size + ((long) cs * l2Entries) - 1) / ((long) cs * l2Entries);
        if (h.l1Size < needL1 || (long) h.l1Size * 8 > MAX_L1_BYTES) {
            throw new BlockException(name + ": L1 table of " + Integer.toUnsignedString(h.l1Size)
                    + " entries does not fit virtual size " + h.size + " (needs " + needL1
                    + ", at most " + MAX_L1_BYTES / 8 + "); the image is corrupt");
        }
        this.l1 = readLongs(h.l1Offset, h.l1Size);
        byte[] st = new byte[0];
        if (h.nbSnapshots > 0) {
            long avail = Math.min(SnapshotTable.MAX_TABLE, fileSize - h.snapshotsOffset);
            st = new byte[(int) avail];
            readFully(h.snapshotsOffset, st, 0, st.length);
        }
        this.snapshots = new ArrayList<>(SnapshotTable.parse(name, st, h.nbSnapshots, cs,
                fileSize, h.version));
        if (openBacking && h.backingFile != null) {
            if (depth >= MAX_CHAIN) {
                throw new BlockException(name + ": backing chain deeper than " + MAX_CHAIN
                        + " images (a loop?); fix it with 'jvirt img rebase -u'");
            }
            Path bp = resolveBacking(path, h.backingFile);
            String fmt = h.backingFormat;
            if (fmt == null) {
                fmt = Images.probe(bp);
            }
            if (fmt.equals("qcow2")) {
                this.backing = open(bp, true, true, depth + 1);
            } else if (fmt.equals("raw")) {
                this.backing = Images.open(bp, "raw", true);
            } else {
                throw new BlockException(name + ": backing format '" + fmt
                        + "' is not supported; use raw or qcow2");
            }
        }
    }

    static Path resolveBacking(Path image, String backingName) {
        Path b = Path.of(backingName);
        if (b.isAbsolute()) {
            return b;
        }
        Path dir = image.toAbsolutePath().getParent();
        return dir == null ? b : dir.resolve(b);
    }

    static Qcow2File open(Path path, boolean readOnly, boolean openBacking) throws IOException {
        return open(path, readOnly, openBacking, 0);
    }

    private static Qcow2File open(Path path, boolean readOnly, boolean openBacking, int depth)
            throws IOException {
        FileChannel ch;
        try {
            ch = readOnly ? FileChannel.open(path, StandardOpenOption.READ)
                    : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            throw new BlockException(path + ": no such file; check the path");
        } catch (AccessDeniedException e) {
            throw new BlockException(path + ": permission denied; open it read-only or fix its mode");
        }
        try {
            long fileSize = ch.size();
            ByteBuffer hb = ByteBuffer.allocate((int) Math.min(fileSize, 2 << 20));
            while (hb.hasRemaining() && ch.read(hb, hb.position()) > 0) {
                // fill
            }
            Header h = Header.parse(path.toString(), hb.array(), fileSize);
            if (!readOnly && (h.incompatible & Header.INCOMPAT_CORRUPT) != 0) {
                throw new BlockException(path + ": image is marked corrupt; open it read-only or "
                        + "run 'jvirt img check -r all " + path + "'");
            }
            int rtEntries = (int) ((long) h.refcountTableClusters * h.clusterSize() / 8);
            long[] rt = new long[rtEntries];
            ByteBuffer rb = ByteBuffer.allocate(rtEntries * 8);
            readFully(ch, h.refcountTableOffset, rb);
            rb.asLongBuffer().get(rt);
            Qcow2File f = new Qcow2File(path, ch, readOnly, h, fileSize, rt, openBacking, depth);
            if (!readOnly) {
                f.prepareForWriting();
            }
            return f;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private void prepareForWriting() throws IOException {
        boolean rewrite = false;
        if (h.autoclear != 0) {
            // We do not maintain bitmaps: clearing autoclear bits tells readers they are stale.
            h.autoclear = 0;
            h.unknownExtensions.removeIf(e -> e.type() == Header.EXT_BITMAPS);
            rewrite = true;
        }
        if ((h.incompatible & Header.INCOMPAT_DIRTY) != 0) {
            // Refcounts may be stale after a crash with lazy refcounts: rebuild them.
            new Commit(this).run();
            h.incompatible &= ~Header.INCOMPAT_DIRTY;
            rewrite = true;
        }
        if (rewrite) {
            writeHeader();
        }
    }

    // ---- low-level file I/O -------------------------------------------------------------

    private static void readFully(FileChannel ch, long pos, ByteBuffer b) throws IOException {
        long p = pos;
        while (b.hasRemaining()) {
            int n = ch.read(b, p);
            if (n < 0) {
                while (b.hasRemaining()) {
                    b.put((byte) 0);
                }
                break;
            }
            p += n;
        }
        b.flip();
    }

    /** Reads; bytes past the end of the file read as zeroes. */
    void readFully(long pos, byte[] b, int off, int len) throws IOException {
        readFully(ch, pos, ByteBuffer.wrap(b, off, len));
    }

    void readInto(long pos, ByteBuffer dst) throws IOException {
        long p = pos;
        while (dst.hasRemaining()) {
            int n = ch.read(dst, p);
            if (n < 0) {
                while (dst.hasRemaining()) {
                    dst.put((byte) 0);
                }
                return;
            }
            p += n;
        }
    }

    void writeFully(long pos, byte[] b, int off, int len) throws IOException {
        writeFully(pos, ByteBuffer.wrap(b, off, len));
    }

    void writeFully(long pos, ByteBuffer src) throws IOException {
        long p = pos;
        while (src.hasRemaining()) {
            p += ch.write(src, p);
        }
    }

    void writeLong(long pos, long v) throws IOException {
        writeFully(pos, ByteBuffer.allocate(8).putLong(0, v));
    }

    long[] readLongs(long pos, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n * 8);
        readFully(ch, pos, b);
        long[] out = new long[n];
        b.asLongBuffer().get(out);
        return out;
    }

    /** Rewrites the header cluster prefix in one write (atomic: at most one page). */
    void writeHeader() throws IOException {
        byte[] b = h.serialize(name);
        writeFully(0, b, 0, b.length);
    }

    @Override
    public int clusterSize() {
        return cs;
    }

    String name() {
        return name;
    }

    // ---- L1/L2 access (caller holds meta) ------------------------------------------------

    /** Validated L2 table offset from an L1 entry, 0 when none. */
    long l2Offset(long l1e, int l1i) throws BlockException {
        long off = l1e & L2Entry.OFFSET_MASK;
        if (off != 0 && ((l1e & (cs - 1) & ~0L) != 0 || (l1e & 0x7f000000000001ffL) != 0
                || off + cs > (rc.endCluster << cb))) {
            throw new BlockException(name + ": L1 entry " + l1i + " (0x" + Long.toHexString(l1e)
                    + ") points to an unaligned L2 table or past the end of the file; run "
                    + "'jvirt img check -r all " + name + "'");
        }
        return off;
    }

    /** The L2 table at {@code off}: entries, or (extended) entry/bitmap pairs. */
    long[] l2Table(long off) throws IOException {
        long[] t = l2cache.get(off);
        if (t == null) {
            t = readLongs(off, cs / 8);
            l2cache.put(off, t);
        }
        return t;
    }

    void cacheL2(long off, long[] t) {
        l2cache.put(off, t);
    }

    void dropL2Cache() {
        l2cache.clear();
    }

    /** Looks up guest cluster {@code g}: {entry, bitmap}, zeros when unmapped. */
    long[] lookup(long g) throws IOException {
        int l1i = (int) (g / l2Entries);
        int l2i = (int) (g % l2Entries);
        meta.lock();
        try {
            if (l1i >= l1.length) {
                return new long[2];
            }
            long off = l2Offset(l1[l1i], l1i);
            if (off == 0) {
                return new long[2];
            }
            long[] t = l2Table(off);
            return ext ? new long[] {t[2 * l2i], t[2 * l2i + 1]} : new long[] {t[l2i], 0};
        } finally {
            meta.unlock();
        }
    }

    /** Validates a data cluster offset from an L2 entry. */
    long checkHost(long host, long g) throws BlockException {
        if ((host & (cs - 1)) != 0 || host == 0) {
            throw new BlockException(name + ": L2 entry for guest offset 0x"
                    + Long.toHexString(g << cb) + " points to unaligned host offset 0x"
                    + Long.toHexString(host) + "; run 'jvirt img check -r all " + name + "'");
        }
        return host;
    }

    // ---- BlockDevice ---------------------------------------------------------------------

    @Override
    public long size() {
        return h.size;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    void checkRange(long offset, long len) throws BlockException {
        if (closed) {
            throw new BlockException(name + ": image is closed; open it again");
        }
        if (offset < 0 || len < 0 || offset + len > h.size || offset + len < 0) {
            throw new BlockException(name + ": request at offset " + offset + " length " + len
                    + " is outside the virtual disk (size " + h.size + "); stay below it");
        }
    }

    void checkWritable() throws BlockException {
        if (readOnly) {
            throw new BlockException(name + ": opened read-only; open it read-write to modify it");
        }
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        rw.readLock().lock();
        try {
            checkRange(offset, dst.remaining());
            long pos = offset;
            while (dst.hasRemaining()) {
                long g = pos >> cb;
                int in = (int) (pos & (cs - 1));
                int n = (int) Math.min(dst.remaining(), cs - in);
                long[] e = lookup(g);
                ByteBuffer part = dst.slice(dst.position(), n);
                readCluster(g, e[0], e[1], in, part);
                dst.position(dst.position() + n);
                pos += n;
            }
        } finally {
            rw.readLock().unlock();
        }
    }

    /** Reads {@code part.remaining()} bytes at {@code in} within guest cluster {@code g}. */
    void readCluster(long g, long entry, long bitmap, int in, ByteBuffer part) throws IOException {
        Reads.cluster(this, g, entry, bitmap, in, part);
    }

    void readBacking(long pos, ByteBuffer part) throws IOException {
        Reads.backing(this, pos, part);
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        writer.write(offset, src);
    }

    @Override
    public void writeZeroes(long offset, long length) throws IOException {
        writer.zeroOrDiscard(offset, length, false);
    }

    @Override
    public void discard(long offset, long length) throws IOException {
        writer.zeroOrDiscard(offset, length, true);
    }

    @Override
    public void writeCompressed(long offset, byte[] cluster) throws IOException {
        writer.writeCompressed(offset, cluster);
    }

    @Override
    public void flush() throws IOException {
        if (!readOnly && !closed) {
            ch.force(true);
        }
    }

    @Override
    public Extent status(long offset, long maxLength) throws IOException {
        return Status.of(this, offset, maxLength);
    }

    @Override
    public void close() throws IOException {
        close(true);
    }

    @Override
    public void closeUnsafe() throws IOException {
        close(false);
    }

    private void close(boolean sync) throws IOException {
        if (closed) {
            return;
        }
        rw.writeLock().lock();
        try {
            if (!readOnly) {
                if (sync) {
                    ch.force(true);
                }
                if (dirtyByUs) {
                    h.incompatible &= ~Header.INCOMPAT_DIRTY;
                    writeHeader();
                    if (sync) {
                        ch.force(true);
                    }
                }
            }
        } finally {
            closed = true;
            rw.writeLock().unlock();
            ch.close();
            if (backing != null) {
                backing.close();
            }
        }
    }

    // ---- qcow2 operations ------------------------------------------------------------------

    @Override
    public Details details() throws IOException {
        return new Details(h.version, cs, 1 << h.refcountOrder,
                (h.compatible & Header.COMPAT_LAZY_REFCOUNTS) != 0, ext,
                h.compressionType == 1 ? "zstd" : "zlib",
                (h.incompatible & Header.INCOMPAT_DIRTY) != 0,
                (h.incompatible & Header.INCOMPAT_CORRUPT) != 0, h.backingFile, h.backingFormat,
                ch.size());
    }

    @Override
    public BlockDevice backing() {
        return backing;
    }

    @Override
    public List<SnapshotInfo> snapshots() {
        rw.readLock().lock();
        try {
            return List.copyOf(snapshots);
        } finally {
            rw.readLock().unlock();
        }
    }

    @Override
    public SnapshotInfo createSnapshot(String snapName) throws IOException {
        return new Snapshots(this).create(snapName);
    }

    @Override
    public void applySnapshot(String idOrName) throws IOException {
        new Snapshots(this).apply(idOrName);
    }

    @Override
    public void deleteSnapshot(String idOrName) throws IOException {
        new Snapshots(this).delete(idOrName);
    }

    @Override
    public void resize(long newSize) throws IOException {
        new Snapshots(this).resize(newSize);
    }

    @Override
    public CheckResult check(Repair repair) throws IOException {
        rw.writeLock().lock();
        try {
            return new Checker(this).check(repair);
        } finally {
            rw.writeLock().unlock();
        }
    }

    @Override
    public void discardAllToBacking() throws IOException {
        checkWritable();
        rw.writeLock().lock();
        try {
            new Commit(this).apply(h.size, new long[l1.length], List.copyOf(snapshots));
        } finally {
            rw.writeLock().unlock();
        }
    }

    @Override
    public void setBacking(String file, String format) throws IOException {
        checkWritable();
        rw.writeLock().lock();
        try {
            h.backingFile = file;
            h.backingFormat = file == null ? null : format;
            writeHeader();
        } finally {
            rw.writeLock().unlock();
        }
    }

    @Override
    public void amend(Boolean lazyRefcounts, Integer version) throws IOException {
        checkWritable();
        rw.writeLock().lock();
        try {
            if (version != null && version != h.version) {
                if (version == 3) {
                    h.version = 3;
                    h.headerLength = Header.V3_LENGTH;
                    h.refcountOrder = 4;
                } else {
                    Snapshots.downgrade(this);
                }
            }
            if (lazyRefcounts != null) {
                if (lazyRefcounts && h.version < 3) {
                    throw new BlockException(name + ": lazy_refcounts needs compat=1.1; "
                            + "add -o compat=1.1");
                }
                h.compatible = lazyRefcounts ? h.compatible | Header.COMPAT_LAZY_REFCOUNTS
                        : h.compatible & ~Header.COMPAT_LAZY_REFCOUNTS;
            }
            writeHeader();
            ch.force(true);
        } finally {
            rw.writeLock().unlock();
        }
    }
}
