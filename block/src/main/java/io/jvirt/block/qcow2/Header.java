package io.jvirt.block.qcow2;

import io.jvirt.block.BlockException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The qcow2 header and its extensions (docs/interop/qcow2.txt, "Header" and "Header
 * extensions"). Parsing validates every field against the file size before anything trusts
 * it; serializing produces the whole first-cluster prefix so that one pwrite of at most one
 * page replaces it atomically.
 */
final class Header {

    static final int MAGIC = 0x514649fb;                // "QFI\xfb"
    static final int V2_LENGTH = 72;                     // header fields up to snapshots_offset
    static final int V3_LENGTH = 112;                    // 104 + compression_type, padded to 8
    static final long INCOMPAT_DIRTY = 1;                // incompatible bit 0
    static final long INCOMPAT_CORRUPT = 1 << 1;         // incompatible bit 1
    static final long INCOMPAT_DATA_FILE = 1 << 2;       // incompatible bit 2
    static final long INCOMPAT_COMPRESSION = 1 << 3;     // incompatible bit 3
    static final long INCOMPAT_EXTL2 = 1 << 4;           // incompatible bit 4
    static final long KNOWN_INCOMPAT = 0x1f;
    static final long COMPAT_LAZY_REFCOUNTS = 1;         // compatible bit 0
    static final long AUTOCLEAR_BITMAPS = 1;             // autoclear bit 0
    static final int EXT_END = 0;
    static final int EXT_BACKING_FORMAT = 0xe2792aca;
    static final int EXT_FEATURE_TABLE = 0x6803f857;
    static final int EXT_BITMAPS = 0x23852875;
    static final int EXT_DATA_FILE = 0x44415441;
    static final int MAX_BACKING_NAME = 1023;            // qemu's limit, qcow2.txt "backing_file_size"

    /** Names for the feature table extension, bits as listed in qcow2.txt. */
    static final String[] INCOMPAT_NAMES = {"dirty bit", "corrupt bit", "external data file",
        "compression type", "extended L2 entries"};

    record Extension(int type, byte[] data) {
    }

    int version;
    String backingFile;        // null when none
    String backingFormat;      // null when none
    int clusterBits;
    long size;
    int cryptMethod;
    int l1Size;
    long l1Offset;
    long refcountTableOffset;
    int refcountTableClusters;
    int nbSnapshots;
    long snapshotsOffset;
    long incompatible;
    long compatible;
    long autoclear;
    int refcountOrder = 4;
    int headerLength;
    int compressionType;       // 0 deflate, 1 zstd
    List<Extension> unknownExtensions = new ArrayList<>();
    List<String[]> featureNames = new ArrayList<>(); // {type, bit, name}

    int clusterSize() {
        return 1 << clusterBits;
    }

    boolean extendedL2() {
        return (incompatible & INCOMPAT_EXTL2) != 0;
    }

    static Header parse(String file, byte[] b, long fileSize) throws BlockException {
        if (b.length < V2_LENGTH) {
            throw new BlockException(file + ": file is " + b.length
                    + " bytes, too short for a qcow2 header; it is not a qcow2 image");
        }
        ByteBuffer bb = ByteBuffer.wrap(b);
        if (bb.getInt(0) != MAGIC) {
            throw new BlockException(file + ": no qcow2 magic; open it with -f raw");
        }
        Header h = new Header();
        h.version = bb.getInt(4);
        if (h.version != 2 && h.version != 3) {
            throw new BlockException(file + ": qcow2 version " + h.version
                    + " is not supported; only versions 2 and 3 exist");
        }
        long backingOff = bb.getLong(8);
        int backingLen = bb.getInt(16);
        h.clusterBits = bb.getInt(20);
        if (h.clusterBits < 9 || h.clusterBits > 21) {
            throw new BlockException(file + ": cluster_bits " + h.clusterBits
                    + " is outside 9..21 (512 B..2 MiB); the image is corrupt");
        }
        h.size = bb.getLong(24);
        if (h.size < 0 || h.size > (1L << 62)) {
            throw new BlockException(file + ": virtual size " + Long.toUnsignedString(h.size)
                    + " is too large; the image is corrupt");
        }
        h.cryptMethod = bb.getInt(32);
        if (h.cryptMethod != 0) {
            throw new BlockException(file + ": encryption method " + h.cryptMethod
                    + " is not supported; decrypt it with qemu-img convert first");
        }
        h.l1Size = bb.getInt(36);
        h.l1Offset = bb.getLong(40);
        h.refcountTableOffset = bb.getLong(48);
        h.refcountTableClusters = bb.getInt(56);
        h.nbSnapshots = bb.getInt(60);
        h.snapshotsOffset = bb.getLong(64);
        if (h.version == 3) {
            if (b.length < 104) {
                throw new BlockException(file + ": v3 header truncated; the image is corrupt");
            }
            h.incompatible = bb.getLong(72);
            h.compatible = bb.getLong(80);
            h.autoclear = bb.getLong(88);
            h.refcountOrder = bb.getInt(96);
            h.headerLength = bb.getInt(100);
            if (h.headerLength < 104 || (h.headerLength & 7) != 0 && h.headerLength != 104
                    || h.headerLength > h.clusterSize() || h.headerLength > b.length) {
                throw new BlockException(file + ": header_length " + h.headerLength
                        + " is invalid; the image is corrupt");
            }
            if (h.headerLength > 104) {
                h.compressionType = b[104] & 0xff;
            }
        } else {
            h.refcountOrder = 4;
            h.headerLength = V2_LENGTH;
        }
        if (h.refcountOrder < 0 || h.refcountOrder > 6) {
            throw new BlockException(file + ": refcount_order " + h.refcountOrder
                    + " is outside 0..6; the image is corrupt");
        }
        if (h.compressionType > 1) {
            throw new BlockException(file + ": compression type " + h.compressionType
                    + " is unknown; only zlib (0) and zstd (1) exist");
        }
        if ((h.compressionType != 0) != ((h.incompatible & INCOMPAT_COMPRESSION) != 0)) {
            throw new BlockException(file + ": compression type " + h.compressionType
                    + " does not match incompatible feature bit 3; the image is corrupt");
        }
        h.parseExtensions(file, bb, h.version == 3 ? h.headerLength : V2_LENGTH,
                backingOff != 0 ? backingOff : h.clusterSize());
        long unknown = h.incompatible & ~KNOWN_INCOMPAT;
        if (unknown != 0) {
            int bit = Long.numberOfTrailingZeros(unknown);
            throw new BlockException(file + ": unsupported incompatible feature '"
                    + h.featureName(0, bit) + "' (bit " + bit
                    + "); use a newer tool or convert the image with one");
        }
        if ((h.incompatible & INCOMPAT_DATA_FILE) != 0) {
            throw new BlockException(file + ": incompatible feature 'external data file' "
                    + "(bit 2) is not supported; convert the image to a self-contained qcow2");
        }
        if (backingOff != 0) {
            if (backingLen <= 0 || backingLen > MAX_BACKING_NAME || backingOff < 0
                    || backingOff + backingLen > Math.min(b.length, h.clusterSize())) {
                throw new BlockException(file + ": backing file name at " + backingOff
                        + " length " + backingLen + " is outside the header cluster; "
                        + "the image is corrupt");
            }
            h.backingFile = new String(b, (int) backingOff, backingLen, StandardCharsets.UTF_8);
        }
        long cs = h.clusterSize();
        checkTable(file, "L1 table", h.l1Offset, (long) h.l1Size * 8, cs, fileSize);
        checkTable(file, "refcount table", h.refcountTableOffset,
                (long) h.refcountTableClusters * cs, cs, fileSize);
        if (h.refcountTableClusters <= 0 || h.refcountTableClusters > (1 << 23)) {
            throw new BlockException(file + ": refcount table of " + h.refcountTableClusters
                    + " clusters is invalid; the image is corrupt");
        }
        if (h.nbSnapshots < 0 || h.nbSnapshots > 65536) {
            throw new BlockException(file + ": " + Integer.toUnsignedString(h.nbSnapshots)
                    + " snapshots exceed the limit 65536; the image is corrupt");
        }
        if (h.nbSnapshots > 0) {
            checkTable(file, "snapshot table", h.snapshotsOffset, 40, cs, fileSize);
        }
        return h;
    }

    static void checkTable(String file, String what, long off, long len, long cs, long fileSize)
            throws BlockException {
        if (len < 0 || len > (1L << 32) * 8) {
            throw new BlockException(file + ": " + what + " length " + len
                    + " is invalid; the image is corrupt");
        }
        if (len == 0) {
            return;
        }
        if (off <= 0 || (off & (cs - 1)) != 0 || off + len > fileSize || off + len < 0) {
            throw new BlockException(file + ": " + what + " at 0x" + Long.toHexString(off)
                    + " (length " + len + ") is unaligned or past the end of the file (size "
                    + fileSize + "); the image is corrupt");
        }
    }

    private void parseExtensions(String file, ByteBuffer bb, int start, long limit)
            throws BlockException {
        // limit comes from the (untrusted) backing file offset: clamp before narrowing
        long lim = limit <= 0 ? Long.MAX_VALUE : limit;
        int end = (int) Math.min(Math.min(lim, bb.capacity()), clusterSize());
        int p = start;
        while (p + 8 <= end) {
            int type = bb.getInt(p);
            int len = bb.getInt(p + 4);
            if (type == EXT_END) {
                return;
            }
            if (len < 0 || p + 8 + (long) len > end) {
                throw new BlockException(file + ": header extension 0x" + Integer.toHexString(type)
                        + " of length " + Integer.toUnsignedString(len)
                        + " runs past the header cluster; the image is corrupt");
            }
            byte[] data = new byte[len];
            bb.get(p + 8, data);
            switch (type) {
                case EXT_BACKING_FORMAT -> backingFormat = new String(data, StandardCharsets.UTF_8);
                case EXT_FEATURE_TABLE -> {
                    for (int i = 0; i + 48 <= len; i += 48) {
                        int z = 0;
                        while (z < 46 && data[i + 2 + z] != 0) {
                            z++;
                        }
                        featureNames.add(new String[] {Integer.toString(data[i] & 0xff),
                            Integer.toString(data[i + 1] & 0xff),
                            new String(data, i + 2, z, StandardCharsets.UTF_8)});
                    }
                }
                case EXT_BITMAPS, EXT_DATA_FILE -> unknownExtensions.add(new Extension(type, data));
                default -> unknownExtensions.add(new Extension(type, data));
            }
            p += 8 + ((len + 7) & ~7);
        }
    }

    String featureName(int type, int bit) {
        for (String[] f : featureNames) {
            if (Integer.parseInt(f[0]) == type && Integer.parseInt(f[1]) == bit) {
                return f[2];
            }
        }
        return type == 0 && bit < INCOMPAT_NAMES.length ? INCOMPAT_NAMES[bit] : "unknown";
    }

    /** Serializes header, extensions and backing name; fails when they exceed one cluster. */
    byte[] serialize(String file) throws BlockException {
        ByteBuffer bb = ByteBuffer.allocate(Math.max(clusterSize(), 4096));
        int hl = version == 3 ? V3_LENGTH : V2_LENGTH;
        bb.putInt(0, MAGIC).putInt(4, version);
        bb.putInt(20, clusterBits).putLong(24, size).putInt(32, cryptMethod);
        bb.putInt(36, l1Size).putLong(40, l1Offset).putLong(48, refcountTableOffset);
        bb.putInt(56, refcountTableClusters).putInt(60, nbSnapshots).putLong(64, snapshotsOffset);
        if (version == 3) {
            bb.putLong(72, incompatible).putLong(80, compatible).putLong(88, autoclear);
            bb.putInt(96, refcountOrder).putInt(100, hl);
            bb.put(104, (byte) compressionType);
        }
        int p = hl;
        if (backingFormat != null) {
            p = putExt(bb, p, EXT_BACKING_FORMAT, backingFormat.getBytes(StandardCharsets.UTF_8));
        }
        if (version == 3) {
            p = putExt(bb, p, EXT_FEATURE_TABLE, featureTable());
        }
        for (Extension e : unknownExtensions) {
            p = putExt(bb, p, e.type(), e.data());
        }
        p = putExt(bb, p, EXT_END, new byte[0]);
        if (backingFile != null) {
            byte[] name = backingFile.getBytes(StandardCharsets.UTF_8);
            if (name.length > MAX_BACKING_NAME || p + name.length > clusterSize()) {
                throw new BlockException(file + ": backing file name '" + backingFile
                        + "' does not fit the header cluster; use a shorter path");
            }
            bb.putLong(8, p).putInt(16, name.length);
            bb.put(p, name);
            p += name.length;
        }
        if (p > clusterSize()) {
            throw new BlockException(file + ": header extensions need " + p
                    + " bytes, more than the cluster size " + clusterSize()
                    + "; use a larger cluster_size");
        }
        byte[] out = new byte[p];
        bb.get(0, out);
        return out;
    }

    private static int putExt(ByteBuffer bb, int p, int type, byte[] data) throws BlockException {
        if (p + 8 + data.length > bb.capacity()) {
            throw new BlockException("header extension 0x" + Integer.toHexString(type)
                    + " does not fit; use a larger cluster_size");
        }
        bb.putInt(p, type).putInt(p + 4, data.length);
        bb.put(p + 8, data);
        return p + 8 + ((data.length + 7) & ~7);
    }

    private static byte[] featureTable() {
        String[][] rows = {{"0", "0", "dirty bit"}, {"0", "1", "corrupt bit"},
            {"0", "2", "external data file"}, {"0", "3", "compression type"},
            {"0", "4", "extended L2 entries"}, {"1", "0", "lazy refcounts"},
            {"2", "0", "bitmaps"}, {"2", "1", "raw external data"}};
        byte[] t = new byte[rows.length * 48];
        for (int i = 0; i < rows.length; i++) {
            t[i * 48] = (byte) Integer.parseInt(rows[i][0]);
            t[i * 48 + 1] = (byte) Integer.parseInt(rows[i][1]);
            byte[] n = rows[i][2].getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(n, 0, t, i * 48 + 2, n.length);
        }
        return t;
    }
}
