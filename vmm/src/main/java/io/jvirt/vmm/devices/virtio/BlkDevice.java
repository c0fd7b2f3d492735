package io.jvirt.vmm.devices.virtio;

import io.jvirt.block.BlockDevice;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * virtio-blk (virtio 1.2 §5.2) over a {@link BlockDevice}: one request queue; read, write,
 * flush, get-ID, discard and write-zeroes requests, served one at a time where notifications
 * are served (in a machine, the device's {@link VirtioThread}, never a vCPU thread). Requests
 * are parsed here (header, data, status byte) from chains the walker already checked; a request
 * that does not fit the disk or the format fails with VIRTIO_BLK_S_IOERR, an unknown type with
 * VIRTIO_BLK_S_UNSUPP. Data moves between the disk and guest RAM in place, with one scatter
 * or gather call over views of the request's buffers ({@link Request#writableViews}), as
 * QEMU's preadv: no copy through the heap, and a 4 GiB chain costs no more host memory than
 * a small one.
 */
final class BlkDevice implements VirtioDevice {
    private static final System.Logger LOG = System.getLogger(BlkDevice.class.getName());

    /** Block device ID, §5.2.1. */
    static final int DEVICE_ID = 2;
    static final int QUEUE_SIZE = 256;
    static final int SECTOR = 512;
    // Feature bits, §5.2.3.
    static final int F_SEG_MAX = 2;
    static final int F_RO = 5;
    static final int F_BLK_SIZE = 6;
    static final int F_FLUSH = 9;
    static final int F_DISCARD = 13;
    static final int F_WRITE_ZEROES = 14;
    // Request types and status values, §5.2.6.
    static final int T_IN = 0;
    static final int T_OUT = 1;
    static final int T_FLUSH = 4;
    static final int T_GET_ID = 8;
    static final int T_DISCARD = 11;
    static final int T_WRITE_ZEROES = 13;
    static final int S_OK = 0;
    static final int S_IOERR = 1;
    static final int S_UNSUPP = 2;
    /** struct virtio_blk_req header: le32 type, le32 reserved, le64 sector. */
    static final int HEADER = 16;
    /** GET_ID returns up to 20 bytes of serial (VIRTIO_BLK_ID_BYTES). */
    static final int ID_BYTES = 20;
    /** struct virtio_blk_config through write_zeroes_may_unmap and its padding (§5.2.4). */
    static final int CONFIG_SIZE = 60;
    /** Segments per discard/write-zeroes request, and sectors per segment (2 GiB - 512). */
    static final int MAX_SEGMENTS = 32;
    static final int MAX_SEGMENT_SECTORS = 0x3f_ffff;
    /** struct virtio_blk_discard_write_zeroes: le64 sector, le32 num_sectors, le32 flags (bit 0 unmap). */
    static final int SEGMENT = 16;
    static final int FLAG_UNMAP = 1;

    private final BlockDevice disk;
    private final String serial;
    private final byte[] config = new byte[CONFIG_SIZE];
    private long ioErrors;

    BlkDevice(BlockDevice disk, String serial) {
        this.disk = disk;
        this.serial = serial;
        long sectors = disk.size() / SECTOR;
        putLe(0, 8, sectors);                // capacity in 512-byte sectors
        putLe(8, 4, 0);                      // size_max (VIRTIO_BLK_F_SIZE_MAX not offered)
        putLe(12, 4, QUEUE_SIZE - 2);        // seg_max: data segments besides header and status
        putLe(20, 4, SECTOR);                // blk_size
        putLe(36, 4, MAX_SEGMENT_SECTORS);   // max_discard_sectors
        putLe(40, 4, MAX_SEGMENTS);          // max_discard_seg
        putLe(44, 4, 8);                     // discard_sector_alignment: 4 KiB
        putLe(48, 4, MAX_SEGMENT_SECTORS);   // max_write_zeroes_sectors
        putLe(52, 4, MAX_SEGMENTS);          // max_write_zeroes_seg
        config[56] = 1;                      // write_zeroes_may_unmap
    }

    private void putLe(int at, int n, long v) {
        for (int i = 0; i < n; i++) {
            config[at + i] = (byte) (v >>> (8 * i));
        }
    }

    @Override
    public int deviceId() {
        return DEVICE_ID;
    }

    @Override
    public long features() {
        long f = (1L << F_SEG_MAX) | (1L << F_BLK_SIZE) | (1L << F_FLUSH);
        return disk.readOnly() ? f | (1L << F_RO) : f | (1L << F_DISCARD) | (1L << F_WRITE_ZEROES);
    }

    @Override
    public int queueCount() {
        return 1;
    }

    @Override
    public int queueMaxSize() {
        return QUEUE_SIZE;
    }

    @Override
    public int configSize() {
        return CONFIG_SIZE;
    }

    @Override
    public long readConfig(int offset, int size) {
        long v = 0;
        for (int i = 0; i < size && offset + i < CONFIG_SIZE; i++) {
            v |= (config[offset + i] & 0xffL) << (8 * i);
        }
        return v;
    }

    @Override
    public void process(int index, VirtioQueue queue) {
        for (Request r = queue.next(); r != null; r = queue.next()) {
            long writable = r.writableLength();
            if (writable < 1 || r.readableLength() < HEADER) {
                // Nowhere to put a status (or no header): the request cannot even fail properly.
                queue.complete(r, 0);
                continue;
            }
            byte[] h = new byte[HEADER];
            r.readAt(queue.memory(), 0, h, 0, HEADER);
            int type = le32(h, 0);
            long sector = le32(h, 8) & 0xffff_ffffL | (long) le32(h, 12) << 32;
            long data = writable - 1; // the status byte is the last writable byte
            int written = 0;
            int status;
            try {
                status = switch (type) {
                    case T_IN -> {
                        written = (int) Math.min(data, Integer.MAX_VALUE);
                        yield read(queue, r, sector, data);
                    }
                    case T_OUT -> write(queue, r, sector, r.readableLength() - HEADER);
                    case T_FLUSH -> {
                        disk.flush();
                        yield S_OK;
                    }
                    case T_GET_ID -> {
                        byte[] id = serial.getBytes(StandardCharsets.US_ASCII);
                        byte[] out = new byte[ID_BYTES];
                        System.arraycopy(id, 0, out, 0, Math.min(id.length, ID_BYTES));
                        written = r.writeAt(queue.memory(), 0, out, 0, (int) Math.min(ID_BYTES, data));
                        yield S_OK;
                    }
                    case T_DISCARD, T_WRITE_ZEROES -> segments(queue, r, type == T_DISCARD);
                    default -> S_UNSUPP;
                };
            } catch (IOException e) {
                if (ioErrors++ < 10) {
                    LOG.log(System.Logger.Level.WARNING, "virtio-blk: request type " + type + " at sector " + sector
                            + " failed; the guest sees an I/O error", e);
                }
                status = S_IOERR;
            }
            if (status != S_OK && type == T_IN) {
                written = 0;
            }
            r.writeAt(queue.memory(), data, new byte[] {(byte) status}, 0, 1);
            queue.complete(r, (int) Math.min((long) written + 1, Integer.MAX_VALUE));
        }
    }

    /** Checks [sector*512, +length) lies on the disk in whole sectors; the byte offset, or -1. */
    private long range(long sector, long length) {
        if (length % SECTOR != 0 || sector < 0 || sector > disk.size() / SECTOR) {
            return -1;
        }
        long offset = sector * SECTOR;
        return length <= disk.size() - offset ? offset : -1;
    }

    private int read(VirtioQueue q, Request r, long sector, long length) throws IOException {
        long offset = range(sector, length);
        if (offset < 0) {
            return S_IOERR;
        }
        try {
            disk.read(offset, r.writableViews(q.memory(), 0, length));
        } finally {
            r.storedWritable(q.memory(), 0, length);
        }
        return S_OK;
    }

    private int write(VirtioQueue q, Request r, long sector, long length) throws IOException {
        if (disk.readOnly()) {
            return S_IOERR; // §5.2.6.2: with VIRTIO_BLK_F_RO, writes fail
        }
        long offset = range(sector, length);
        if (offset < 0) {
            return S_IOERR;
        }
        disk.write(offset, r.readableViews(q.memory(), HEADER, length));
        return S_OK;
    }

    /** Discard or write-zeroes over the request's segments (§5.2.6, virtio_blk_discard_write_zeroes). */
    private int segments(VirtioQueue q, Request r, boolean discard) throws IOException {
        long bytes = r.readableLength() - HEADER;
        if (disk.readOnly() || bytes <= 0 || bytes % SEGMENT != 0 || bytes / SEGMENT > MAX_SEGMENTS) {
            return S_IOERR;
        }
        int n = (int) (bytes / SEGMENT);
        byte[] seg = new byte[SEGMENT * n];
        r.readAt(q.memory(), HEADER, seg, 0, seg.length);
        long[][] ranges = new long[n][];
        for (int i = 0; i < n; i++) {
            long sector = le32(seg, 16 * i) & 0xffff_ffffL | (long) le32(seg, 16 * i + 4) << 32;
            long sectors = le32(seg, 16 * i + 8) & 0xffff_ffffL;
            int flags = le32(seg, 16 * i + 12);
            if ((flags & ~(discard ? 0 : FLAG_UNMAP)) != 0) {
                return S_UNSUPP; // §5.2.6.2: unknown flags (and unmap on a discard)
            }
            long offset = sectors > MAX_SEGMENT_SECTORS ? -1 : range(sector, sectors * SECTOR);
            if (offset < 0) {
                return S_IOERR;
            }
            ranges[i] = new long[] {offset, sectors * SECTOR};
        }
        for (long[] range : ranges) {
            if (discard) {
                disk.discard(range[0], range[1]);
            } else {
                disk.writeZeroes(range[0], range[1]);
            }
        }
        return S_OK;
    }

    private static int le32(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }
}
