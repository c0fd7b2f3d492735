package io.jvirt.block.qcow2;

import io.jvirt.block.BlockException;
import io.jvirt.block.HostFile;
import io.jvirt.block.HostFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Creates an image laid out as qemu-img does: header, refcount table, refcount blocks, L1
 * table, then (with preallocation) L2 tables and data clusters.
 */
final class Qcow2Create {

    private Qcow2Create() {
    }

    static void validate(Path path, Qcow2Image.CreateOptions o) throws BlockException {
        String p = path.toString();
        int cs = o.clusterSize();
        if (cs < 512 || cs > (2 << 20) || Integer.bitCount(cs) != 1) {
            throw new BlockException(p + ": cluster_size " + cs + " is invalid; give a power of "
                    + "two between 512 and 2M");
        }
        if (o.version() != 2 && o.version() != 3) {
            throw new BlockException(p + ": compat version " + o.version()
                    + " is invalid; use compat=0.10 or compat=1.1");
        }
        int rb = o.refcountBits();
        if (rb < 1 || rb > 64 || Integer.bitCount(rb) != 1) {
            throw new BlockException(p + ": refcount_bits " + rb
                    + " is invalid; give a power of two up to 64");
        }
        if (o.version() == 2 && rb != 16) {
            throw new BlockException(p + ": refcount_bits " + rb + " needs compat=1.1; "
                    + "add -o compat=1.1 or use refcount_bits=16");
        }
        if (o.version() == 2 && (o.lazyRefcounts() || o.extendedL2()
                || !"zlib".equals(o.compression()))) {
            throw new BlockException(p + ": lazy_refcounts, extended_l2 and compression_type=zstd"
                    + " need compat=1.1; add -o compat=1.1");
        }
        if (o.extendedL2() && cs < 16384) {
            throw new BlockException(p + ": extended_l2 needs cluster_size >= 16k (got " + cs
                    + "); use a larger cluster_size");
        }
        if (!"zlib".equals(o.compression()) && !"zstd".equals(o.compression())) {
            throw new BlockException(p + ": compression_type '" + o.compression()
                    + "' is unknown; use zlib or zstd");
        }
        if (o.size() < 0 || (o.size() & 511) != 0) {
            throw new BlockException(p + ": size " + o.size()
                    + " is not a multiple of 512 bytes; round it up");
        }
        switch (o.preallocation()) {
            case "off", "metadata", "falloc", "full" -> { }
            default -> throw new BlockException(p + ": preallocation '" + o.preallocation()
                    + "' is unknown; use off, metadata, falloc or full");
        }
        if (o.backingFile() != null && !o.preallocation().equals("off")) {
            throw new BlockException(p + ": preallocation=" + o.preallocation()
                    + " cannot be combined with a backing file; drop one of them");
        }
        int l2Entries = o.extendedL2() ? cs / 16 : cs / 8;
        long per = (long) cs * l2Entries;
        if ((o.size() + per - 1) / per * 8 > Qcow2File.MAX_L1_BYTES) {
            throw new BlockException(p + ": size " + o.size() + " needs an L1 table larger than "
                    + Qcow2File.MAX_L1_BYTES + " bytes; use a larger cluster_size");
        }
    }

    static void create(Path path, Qcow2Image.CreateOptions o) throws IOException {
        validate(path, o);
        int cs = o.clusterSize();
        int cb = Integer.numberOfTrailingZeros(cs);
        int order = Integer.numberOfTrailingZeros(o.refcountBits());
        int l2Entries = o.extendedL2() ? cs / 16 : cs / 8;
        long per = (long) cs * l2Entries;
        int l1Size = (int) ((o.size() + per - 1) / per);
        long l1Clusters = Math.max(1, ((long) l1Size * 8 + cs - 1) / cs);
        boolean prealloc = !o.preallocation().equals("off");
        long dataClusters = prealloc ? (o.size() + cs - 1) / cs : 0;
        long l2Clusters = prealloc ? l1Size : 0;
        long perBlock = ((long) cs * 8) >> order;
        long rtc = 1;
        long nb = 1;
        while (true) {
            long total = 1 + rtc + nb + l1Clusters + l2Clusters + dataClusters;
            long needNb = (total + perBlock - 1) / perBlock;
            long needRtc = Math.max(1, (needNb * 8 + cs - 1) / cs);
            if (needNb == nb && needRtc == rtc) {
                break;
            }
            nb = needNb;
            rtc = needRtc;
        }
        long total = 1 + rtc + nb + l1Clusters + l2Clusters + dataClusters;
        long rtOff = (long) cs;
        long blocksOff = rtOff + rtc * cs;
        long l1Off = blocksOff + nb * cs;
        long l2Off = l1Off + l1Clusters * cs;
        long dataOff = l2Off + l2Clusters * cs;

        Header h = new Header();
        h.version = o.version();
        h.clusterBits = cb;
        h.size = o.size();
        h.l1Size = l1Size;
        h.l1Offset = l1Off;
        h.refcountTableOffset = rtOff;
        h.refcountTableClusters = (int) rtc;
        h.refcountOrder = order;
        h.headerLength = o.version() == 3 ? Header.V3_LENGTH : Header.V2_LENGTH;
        h.compressionType = "zstd".equals(o.compression()) ? 1 : 0;
        h.incompatible = (o.extendedL2() ? Header.INCOMPAT_EXTL2 : 0)
                | (h.compressionType != 0 ? Header.INCOMPAT_COMPRESSION : 0);
        h.compatible = o.lazyRefcounts() ? Header.COMPAT_LAZY_REFCOUNTS : 0;
        h.backingFile = o.backingFile();
        h.backingFormat = o.backingFile() == null ? null : o.backingFormat();
        byte[] header = h.serialize(path.toString());

        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            write(ch, 0, ByteBuffer.wrap(header));
            long[] rt = new long[(int) (rtc * cs / 8)];
            for (int i = 0; i < nb; i++) {
                rt[i] = blocksOff + (long) i * cs;
            }
            write(ch, rtOff, ByteBuffer.wrap(Commit.longs(rt)));
            long[] counts = new long[(int) total];
            java.util.Arrays.fill(counts, 1);
            for (int i = 0; i < nb; i++) {
                write(ch, blocksOff + (long) i * cs,
                        ByteBuffer.wrap(Refcounts.encodeBlock(counts, (int) (i * perBlock), cs, order)));
            }
            long[] l1 = new long[(int) (l1Clusters * cs / 8)];
            if (prealloc) {
                long d = 0;
                for (int i = 0; i < l1Size; i++) {
                    l1[i] = (l2Off + (long) i * cs) | L2Entry.COPIED;
                    long[] t = new long[cs / 8];
                    for (int j = 0; j < l2Entries && d < dataClusters; j++, d++) {
                        long e = (dataOff + d * cs) | L2Entry.COPIED;
                        if (o.extendedL2()) {
                            t[2 * j] = e;
                            t[2 * j + 1] = 0xffffffffL;
                        } else {
                            t[j] = e;
                        }
                    }
                    write(ch, l2Off + (long) i * cs, ByteBuffer.wrap(Commit.longs(t)));
                }
            }
            write(ch, l1Off, ByteBuffer.wrap(Commit.longs(l1)));
            long end = total * cs;
            if (o.preallocation().equals("full")) {
                ByteBuffer z = ByteBuffer.allocate(1 << 20);
                for (long p = dataOff; p < end; p += z.capacity()) {
                    z.clear().limit((int) Math.min(z.capacity(), end - p));
                    write(ch, p, z);
                }
            } else if (o.preallocation().equals("falloc")) {
                // blocks reserved without writing them (fallocate where the host can), as qemu
                try (HostFile hf = HostFiles.installed().open(path, ch, true)) {
                    hf.allocate(dataOff, end - dataOff);
                }
            } else if (prealloc && ch.size() < end) {
                // metadata: the data clusters exist but stay sparse
                write(ch, end - 1, ByteBuffer.allocate(1));
            }
            ch.force(true);
        }
    }

    private static void write(FileChannel ch, long pos, ByteBuffer b) throws IOException {
        long p = pos;
        while (b.hasRemaining()) {
            p += ch.write(b, p);
        }
    }
}
