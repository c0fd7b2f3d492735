package io.jvirt.block.qcow2;

import io.jvirt.block.BlockDevice;
import io.jvirt.block.BlockException;
import io.jvirt.block.Extent;
import io.jvirt.block.HostFile;
import io.jvirt.block.HostFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * {@link Qcow2Image} over a FileChannel. Locking: every request holds {@code rw} shared;
 * structural changes (snapshots, resize, table growth, zero/discard, write-back and the release
 * of dropped clusters, see {@link Tables}) hold it exclusive. {@code meta} guards the
 * L1/L2/refcount state; data transfers to clusters that are already exclusively owned run
 * outside it. Opening is in {@link Qcow2Open}, the write paths in {@link Writer},
 * {@link ZeroWrites} and {@link CompressedWrites}, the read path in {@link Reads}.
 */
final class Qcow2File implements Qcow2Image {

    static final int MAX_L1_BYTES = 32 << 20;     // qemu's QCOW_MAX_L1_SIZE

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
    final Tables tables;
    final Requests requests;
    final Writer writer;
    final ZeroWrites zeroes;
    final CompressedWrites compressed;
    final HostFile host;
    boolean dirtyByUs;
    private volatile boolean closed;

    Qcow2File(Path path, FileChannel ch, boolean readOnly, Header h, long fileSize, long[] rt,
              boolean openBacking) throws IOException {
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
        this.tables = new Tables(this);
        this.requests = new Requests(this);
        this.writer = new Writer(this);
        this.zeroes = new ZeroWrites(this);
        this.compressed = new CompressedWrites(this);
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
        this.host = HostFiles.installed().open(path, ch, !readOnly);
    }

    static Qcow2File open(Path path, boolean readOnly, boolean openBacking) throws IOException {
        return Qcow2Open.open(path, readOnly, openBacking, 0);
    }

    // ---- low-level file I/O -------------------------------------------------------------

    /** Reads; bytes past the end of the file read as zeroes. */
    void readFully(long pos, byte[] b, int off, int len) throws IOException {
        readInto(pos, ByteBuffer.wrap(b, off, len));
    }

    /** Fills {@code dst}; bytes past the end of the file read as zeroes. */
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
        TestHooks.written(pos, src);
        long p = pos;
        while (src.hasRemaining()) {
            p += ch.write(src, p);
        }
    }

    /** fdatasync ({@code metadata} false) or fsync: what was written so far is durable. */
    void sync(boolean metadata) throws IOException {
        TestHooks.synced();
        ch.force(metadata);
    }

    void writeLong(long pos, long v) throws IOException {
        writeFully(pos, ByteBuffer.allocate(8).putLong(0, v));
    }

    long[] readLongs(long pos, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n * 8);
        readInto(pos, b);
        long[] out = new long[n];
        b.flip().asLongBuffer().get(out);
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
            Reads.request(this, offset, dst);
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
        zeroes.zeroOrDiscard(offset, length, false);
    }

    @Override
    public void discard(long offset, long length) throws IOException {
        zeroes.zeroOrDiscard(offset, length, true);
    }

    @Override
    public void writeCompressed(long offset, byte[] cluster) throws IOException {
        compressed.write(offset, cluster);
    }

    /** Writes the mapping changes back (see {@link Tables}) and makes everything durable. */
    @Override
    public void flush() throws IOException {
        if (readOnly) {
            return;
        }
        rw.writeLock().lock();
        try {
            if (!closed) {
                tables.writeBack(true);
            }
        } finally {
            rw.writeLock().unlock();
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
                tables.writeBack(sync);
                if (dirtyByUs) {
                    h.incompatible &= ~Header.INCOMPAT_DIRTY;
                    writeHeader();
                    if (sync) {
                        sync(true);
                    }
                }
            }
        } finally {
            closed = true;
            rw.writeLock().unlock();
            closeQuietly();
        }
    }

    /** Closes the files without writing anything (also after a failed open). */
    void closeQuietly() throws IOException {
        try {
            if (host != null) {
                host.close();
            }
        } finally {
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
            if (!readOnly) {
                tables.writeBack(true);
            }
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
        new Amend(this).setBacking(file, format);
    }

    @Override
    public void amend(Boolean lazyRefcounts, Integer version) throws IOException {
        new Amend(this).amend(lazyRefcounts, version);
    }
}
