package io.jvirt.block.qcow2;

import io.jvirt.block.BlockDevice;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A qcow2 image (QEMU docs/interop/qcow2.txt): versions 2 and 3, refcount widths 1..64 bits,
 * cluster sizes 512 B..2 MiB, zero and compressed (deflate, zstd) clusters, extended L2
 * entries, backing chains of raw or qcow2 files, and internal snapshots.
 *
 * <p>Crash safety: data and metadata writes are ordered so that a process killed at any point,
 * or a power loss, leaves an image that {@code qemu-img check} finds consistent, with at most
 * leaked clusters, and every write completed before the last {@link #flush} reads back. A new
 * cluster's refcount and contents reach the disk before the L2 entry that points to it (an
 * fdatasync between them), and a dropped cluster's refcount is lowered only after the entry
 * that dropped it is durable; mapping changes wait in memory until a flush (see Tables).
 * Operations that change several tables at once (snapshots, resize, refcount-table growth,
 * repair) write new tables into free space and switch to them with one write of the header.
 */
public interface Qcow2Image extends BlockDevice {

    int MAGIC = 0x514649fb; // "QFI\xfb", qcow2.txt "Header" bytes 0-3

    /** Opens an image and its backing chain (backing files read-only). */
    static Qcow2Image open(Path path, boolean readOnly) throws IOException {
        return Qcow2File.open(path, readOnly, true);
    }

    /** Opens an image without opening its backing file (reads of unallocated ranges fail). */
    static Qcow2Image openWithoutBacking(Path path, boolean readOnly) throws IOException {
        return Qcow2File.open(path, readOnly, false);
    }

    /** Creates a new image; fails with a one-line message on an invalid option. */
    static void create(Path path, CreateOptions options) throws IOException {
        Qcow2Create.create(path, options);
    }

    /** Header facts for {@code info}. */
    Details details() throws IOException;

    /** The backing device, or null. */
    BlockDevice backing();

    List<SnapshotInfo> snapshots();

    /** Creates an internal snapshot of the current disk state. */
    SnapshotInfo createSnapshot(String name) throws IOException;

    /** Reverts the disk to a snapshot, by ID or name. */
    void applySnapshot(String idOrName) throws IOException;

    /** Deletes a snapshot, by ID or name. */
    void deleteSnapshot(String idOrName) throws IOException;

    /** Changes the virtual size; shrinking drops data past the new end. */
    void resize(long newSize) throws IOException;

    /** Writes one whole cluster compressed (convert -c); offset must be cluster-aligned. */
    void writeCompressed(long offset, byte[] cluster) throws IOException;

    /** Checks refcounts and the COPIED flags; optionally repairs. */
    CheckResult check(Repair repair) throws IOException;

    /** Changes the backing file name and format in the header only (rebase -u). */
    void setBacking(String file, String format) throws IOException;

    /** Changes compatible header options (amend): lazy refcounts, compat level. */
    void amend(Boolean lazyRefcounts, Integer version) throws IOException;

    /** Drops every mapping of the active disk, so it reads its backing file (commit). */
    void discardAllToBacking() throws IOException;

    /** Cluster size in bytes. */
    int clusterSize();

    /** What {@code check -r} may fix. */
    enum Repair { NONE, LEAKS, ALL }

    /**
     * Header facts.
     *
     * @param version       2 or 3 ("0.10" or "1.1" compat)
     * @param clusterSize   bytes
     * @param refcountBits  refcount width
     * @param lazyRefcounts compatible bit 0
     * @param extendedL2    incompatible bit 4
     * @param compression   "zlib" or "zstd"
     * @param dirty         incompatible bit 0
     * @param corrupt       incompatible bit 1
     * @param backingFile   backing file name or null
     * @param backingFormat backing format or null
     * @param fileLength    bytes in the image file
     */
    record Details(int version, int clusterSize, int refcountBits, boolean lazyRefcounts,
                   boolean extendedL2, String compression, boolean dirty, boolean corrupt,
                   String backingFile, String backingFormat, long fileLength) {
    }

    /**
     * Options for {@link #create}; see qemu-img's -o list.
     *
     * @param size          virtual size in bytes
     * @param version       2 (compat=0.10) or 3 (compat=1.1)
     * @param clusterSize   512..2 MiB, a power of two
     * @param refcountBits  1, 2, 4, ..., 64
     * @param lazyRefcounts v3 only
     * @param extendedL2    v3 only; cluster size at least 16 KiB
     * @param compression   "zlib" or "zstd" (v3 only)
     * @param preallocation "off", "metadata", "falloc" or "full"
     * @param backingFile   or null
     * @param backingFormat or null
     */
    record CreateOptions(long size, int version, int clusterSize, int refcountBits,
                         boolean lazyRefcounts, boolean extendedL2, String compression,
                         String preallocation, String backingFile, String backingFormat) {

        public static CreateOptions of(long size) {
            return new CreateOptions(size, 3, 65536, 16, false, false, "zlib", "off", null, null);
        }
    }

    /**
     * The outcome of {@link #check}, with qemu-img check's counters.
     *
     * @param corruptions       refcounts too low or flags wrong (harmful)
     * @param leaks             refcounts too high (waste only)
     * @param checkErrors       checks that could not complete (I/O errors)
     * @param corruptionsFixed  repaired corruptions
     * @param leaksFixed        repaired leaks
     * @param totalClusters     guest clusters of the virtual disk
     * @param allocatedClusters guest clusters allocated in this image
     * @param fragmentedClusters allocated clusters not following their predecessor
     * @param compressedClusters compressed guest clusters
     * @param imageEndOffset    end of the last used host cluster
     * @param messages          qemu-img-style lines ("Leaked cluster 5 refcount=1 reference=0")
     */
    record CheckResult(long corruptions, long leaks, long checkErrors, long corruptionsFixed,
                       long leaksFixed, long totalClusters, long allocatedClusters,
                       long fragmentedClusters, long compressedClusters, long imageEndOffset,
                       List<String> messages) {
    }
}
