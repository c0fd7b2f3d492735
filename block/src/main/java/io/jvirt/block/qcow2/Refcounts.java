package io.jvirt.block.qcow2;

import io.jvirt.block.BlockException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * The refcount table and its blocks (qcow2.txt "Cluster refcounts"), refcount widths 1..64
 * bits. Callers hold the image's metadata lock. Every change is written through at once, in an
 * order that leaves at most leaks after a crash or power loss: a new refcount block is made
 * durable before the table entry that points at it; a cluster's refcount is raised before
 * anything points at it and lowered only after nothing does (see {@link Tables}).
 */
final class Refcounts {

    /** Thrown when a cluster needs a refcount block beyond the table; the caller grows it. */
    static final class TableFull extends RuntimeException {
        TableFull() {
            super("refcount table full", null, false, false);
        }
    }

    private final Qcow2File img;
    private final int cb;
    private final int cs;
    private final int order;
    private final int bits;
    final long maxRefcount;
    final int perBlock;               // refcount entries per block
    long[] table;
    long tableOffset;
    private final Map<Integer, byte[]> blocks = new HashMap<>();
    long freeHint = 1;                // lowest cluster index that may be free
    long endCluster;                  // clusters in use by the file (allocation frontier)

    Refcounts(Qcow2File img, int cb, int order, long tableOffset, long[] table, long fileSize) {
        this.img = img;
        this.cb = cb;
        this.cs = 1 << cb;
        this.order = order;
        this.bits = 1 << order;
        this.maxRefcount = bits == 64 ? Long.MAX_VALUE : (1L << bits) - 1;
        this.perBlock = (cs * 8) >> order;
        this.tableOffset = tableOffset;
        this.table = table;
        this.endCluster = (fileSize + cs - 1) >> cb;
    }

    void reset(long newTableOffset, long[] newTable) {
        tableOffset = newTableOffset;
        table = newTable;
        blocks.clear();
        freeHint = 1;
    }

    long get(long cluster) throws IOException {
        long bi = cluster / perBlock;
        if (bi >= table.length) {
            return 0;
        }
        byte[] b = block((int) bi, false);
        return b == null ? 0 : read(b, (int) (cluster % perBlock));
    }

    /** Loads block {@code bi}; null when absent and {@code create} is false. */
    private byte[] block(int bi, boolean create) throws IOException {
        byte[] b = blocks.get(bi);
        if (b != null) {
            return b;
        }
        if (bi >= table.length) {
            throw new TableFull();
        }
        long off = table[bi] & L2Entry.OFFSET_MASK;
        if (off == 0) {
            if (!create) {
                return null;
            }
            return newBlock(bi);
        }
        if ((table[bi] & (cs - 1)) != 0 || off >= (endCluster << cb)) {
            throw new BlockException(img.name() + ": refcount block " + bi + " at 0x"
                    + Long.toHexString(table[bi]) + " is unaligned or past the end of the file; "
                    + "run 'jvirt img check -r all " + img.name() + "'");
        }
        b = new byte[cs];
        img.readFully(off, b, 0, cs);
        blocks.put(bi, b);
        return b;
    }

    /** Creates block {@code bi} in the first cluster it describes, so it counts itself. */
    private byte[] newBlock(int bi) throws IOException {
        long c = (long) bi * perBlock;
        if (c == 0) {
            throw new BlockException(img.name() + ": refcount block 0 is missing; run "
                    + "'jvirt img check -r all " + img.name() + "'");
        }
        byte[] b = new byte[cs];
        write(b, 0, 1);
        img.writeFully(c << cb, b, 0, cs);
        // The block must be durable before the table entry that makes it count (power loss):
        // rare (one block per perBlock clusters), so a sync here costs little.
        img.sync(false);
        table[bi] = c << cb;
        img.writeLong(tableOffset + 8L * bi, c << cb);
        blocks.put(bi, b);
        endCluster = Math.max(endCluster, c + 1);
        return b;
    }

    void set(long cluster, long value) throws IOException {
        if (value < 0 || value > maxRefcount) {
            throw new BlockException(img.name() + ": refcount of cluster " + cluster
                    + " would be " + value + ", beyond the " + bits + "-bit limit; "
                    + "convert the image with -o refcount_bits=16");
        }
        long bi = cluster / perBlock;
        byte[] b = block((int) bi, true);
        int idx = (int) (cluster % perBlock);
        write(b, idx, value);
        long off = table[(int) bi] & L2Entry.OFFSET_MASK;
        if (bits < 8) {
            int byteIdx = (idx << order) >> 3;
            img.writeFully(off + byteIdx, b, byteIdx, 1);
        } else {
            int bytes = bits >> 3;
            img.writeFully(off + (long) idx * bytes, b, idx * bytes, bytes);
        }
        if (value == 0 && cluster < freeHint) {
            freeHint = cluster;
        }
    }

    /** Sets refcount 1 on [start, start+n), one write per refcount block touched. */
    private void setRun(long start, int n) throws IOException {
        long c = start;
        long end = start + n;
        while (c < end) {
            int bi = (int) (c / perBlock);
            byte[] b = block(bi, true);
            int from = (int) (c % perBlock);
            int to = (int) Math.min(perBlock, from + (end - c));
            for (int i = from; i < to; i++) {
                write(b, i, 1);
            }
            int byteFrom = (from << order) >> 3;
            int byteTo = ((to << order) + 7) >> 3;
            long off = table[bi] & L2Entry.OFFSET_MASK;
            img.writeFully(off + byteFrom, b, byteFrom, byteTo - byteFrom);
            c += to - from;
        }
    }

    void add(long cluster, long delta) throws IOException {
        set(cluster, get(cluster) + delta);
    }

    /** Drops one reference from each cluster touched by [offset, offset+length). */
    void release(long offset, long length) throws IOException {
        if (length <= 0) {
            return;
        }
        for (long c = offset >> cb; c <= (offset + length - 1) >> cb; c++) {
            long r = get(c);
            if (r > 0) {
                set(c, r - 1);
            }
        }
    }

    /** Allocates {@code n} contiguous clusters with refcount 1; returns the byte offset. */
    long allocate(int n) throws IOException {
        while (true) {
            long start = findFree(n);
            boolean created = false;
            for (long bi = start / perBlock; bi <= (start + n - 1) / perBlock; bi++) {
                if (bi >= table.length) {
                    throw new TableFull();
                }
                if ((table[(int) bi] & L2Entry.OFFSET_MASK) == 0) {
                    block((int) bi, true);
                    created = true;
                }
            }
            if (created) {
                continue; // the new block took a cluster: search again
            }
            setRun(start, n);
            endCluster = Math.max(endCluster, start + n);
            if (start == freeHint) {
                freeHint = start + n;
            }
            return start << cb;
        }
    }

    private long findFree(int n) throws IOException {
        long run = 0;
        long c = Math.max(1, freeHint);
        for (; c < endCluster; c++) {
            long bi = c / perBlock;
            if (bi >= table.length) {
                break;
            }
            if ((table[(int) bi] & L2Entry.OFFSET_MASK) == 0 && c % perBlock == 0
                    && c + perBlock <= endCluster) {
                // whole block absent: every cluster in it is free
                run += perBlock;
                c += perBlock - 1;
            } else if (get(c) == 0) {
                run++;
            } else {
                run = 0;
                if (n == 1) {
                    freeHint = c + 1;
                }
                continue;
            }
            if (run >= n) {
                return c - run + 1;
            }
        }
        return c - run;
    }

    private long read(byte[] b, int i) {
        switch (order) {
            case 0, 1, 2 -> {
                int bitPos = i << order;
                return (b[bitPos >> 3] >>> (bitPos & 7)) & ((1 << bits) - 1);
            }
            case 3 -> {
                return b[i] & 0xff;
            }
            case 4 -> {
                return ByteBuffer.wrap(b).getShort(i * 2) & 0xffff;
            }
            case 5 -> {
                return ByteBuffer.wrap(b).getInt(i * 4) & 0xffffffffL;
            }
            default -> {
                return ByteBuffer.wrap(b).getLong(i * 8);
            }
        }
    }

    private void write(byte[] b, int i, long v) {
        switch (order) {
            case 0, 1, 2 -> {
                int bitPos = i << order;
                int mask = ((1 << bits) - 1) << (bitPos & 7);
                b[bitPos >> 3] = (byte) ((b[bitPos >> 3] & ~mask) | ((int) v << (bitPos & 7)) & mask);
            }
            case 3 -> b[i] = (byte) v;
            case 4 -> ByteBuffer.wrap(b).putShort(i * 2, (short) v);
            case 5 -> ByteBuffer.wrap(b).putInt(i * 4, (int) v);
            default -> ByteBuffer.wrap(b).putLong(i * 8, v);
        }
    }

    /** Encodes a whole array of counts into a block image (for rebuilds). */
    static byte[] encodeBlock(long[] counts, int from, int cs, int order) {
        Refcounts fmt = new Refcounts(null, Integer.numberOfTrailingZeros(cs), order, 0,
                new long[0], 0);
        byte[] b = new byte[cs];
        for (int i = 0; i < fmt.perBlock && from + i < counts.length; i++) {
            if (counts[from + i] != 0) {
                fmt.write(b, i, counts[from + i]);
            }
        }
        return b;
    }
}
