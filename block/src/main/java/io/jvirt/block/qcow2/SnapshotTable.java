package io.jvirt.block.qcow2;

import io.jvirt.block.BlockException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads and writes the snapshot table (qcow2.txt "Snapshots", entry layout bytes 0-39). */
final class SnapshotTable {

    static final int MAX_EXTRA = 1024;      // qemu refuses larger extra data
    static final int MAX_TABLE = 64 << 20;  // QCOW_MAX_SNAPSHOTS_SIZE in qemu's qcow2.h
    static final int EXTRA_V3 = 24;         // vm_state_size_large, disk_size, icount

    private SnapshotTable() {
    }

    /** Parses {@code n} entries from {@code b}; every length is checked against the buffer. */
    static List<SnapshotInfo> parse(String file, byte[] b, int n, long cs, long fileSize,
                                    int version) throws BlockException {
        ByteBuffer bb = ByteBuffer.wrap(b);
        List<SnapshotInfo> out = new ArrayList<>();
        int p = 0;
        for (int i = 0; i < n; i++) {
            if (p + 40 > b.length) {
                throw corrupt(file, i, "runs past the end of the table");
            }
            long l1Off = bb.getLong(p);
            int l1Size = bb.getInt(p + 8);
            int idLen = Short.toUnsignedInt(bb.getShort(p + 12));
            int nameLen = Short.toUnsignedInt(bb.getShort(p + 14));
            long dateSec = Integer.toUnsignedLong(bb.getInt(p + 16));
            long dateNsec = Integer.toUnsignedLong(bb.getInt(p + 20));
            long vmClock = bb.getLong(p + 24);
            long vmState = Integer.toUnsignedLong(bb.getInt(p + 32));
            int extraLen = bb.getInt(p + 36);
            if (extraLen < 0 || extraLen > MAX_EXTRA) {
                throw corrupt(file, i, "has extra data of " + Integer.toUnsignedString(extraLen)
                        + " bytes (limit " + MAX_EXTRA + ")");
            }
            if (version >= 3 && extraLen < 16) {
                throw corrupt(file, i, "has " + extraLen + " bytes of extra data; v3 needs 16");
            }
            int q = p + 40;
            if ((long) q + extraLen + idLen + nameLen > b.length) {
                throw corrupt(file, i, "runs past the end of the table");
            }
            byte[] extra = new byte[extraLen];
            bb.get(q, extra);
            long diskSize = -1;
            long icount = -1;
            if (extraLen >= 8) {
                vmState = bb.getLong(q);
            }
            if (extraLen >= 16) {
                diskSize = bb.getLong(q + 8);
            }
            if (extraLen >= 24) {
                icount = bb.getLong(q + 16);
            }
            q += extraLen;
            String id = new String(b, q, idLen, StandardCharsets.UTF_8);
            q += idLen;
            String name = new String(b, q, nameLen, StandardCharsets.UTF_8);
            q += nameLen;
            p = (q + 7) & ~7;
            if (l1Size < 0 || l1Size > (32 << 20) / 8) {
                throw corrupt(file, i, "has an L1 table of " + Integer.toUnsignedString(l1Size)
                        + " entries (limit " + ((32 << 20) / 8) + ")");
            }
            Header.checkTable(file, "snapshot '" + name + "' L1 table", l1Off, l1Size * 8L, cs,
                    fileSize);
            out.add(new SnapshotInfo(id, name, l1Off, l1Size, dateSec, dateNsec, vmClock, vmState,
                    diskSize, icount, extra));
        }
        return out;
    }

    private static BlockException corrupt(String file, int i, String what) {
        return new BlockException(file + ": snapshot table entry " + i + " " + what
                + "; run 'jvirt img check -r all " + file + "'");
    }

    /** Serializes the table; v3 entries always carry at least 24 bytes of extra data. */
    static byte[] serialize(List<SnapshotInfo> snaps, long virtualSize) {
        ByteBuffer bb = ByteBuffer.allocate(size(snaps));
        int p = 0;
        for (SnapshotInfo s : snaps) {
            byte[] id = s.id().getBytes(StandardCharsets.UTF_8);
            byte[] name = s.name().getBytes(StandardCharsets.UTF_8);
            byte[] extra = extraOf(s, virtualSize);
            bb.putLong(p, s.l1Offset()).putInt(p + 8, s.l1Size());
            bb.putShort(p + 12, (short) id.length).putShort(p + 14, (short) name.length);
            bb.putInt(p + 16, (int) s.dateSec()).putInt(p + 20, (int) s.dateNsec());
            bb.putLong(p + 24, s.vmClockNsec());
            bb.putInt(p + 32, (int) Math.min(s.vmStateSize(), 0xffffffffL));
            bb.putInt(p + 36, extra.length);
            int q = p + 40;
            bb.put(q, extra);
            q += extra.length;
            bb.put(q, id);
            q += id.length;
            bb.put(q, name);
            q += name.length;
            p = (q + 7) & ~7;
        }
        return bb.array();
    }

    static int size(List<SnapshotInfo> snaps) {
        int p = 0;
        for (SnapshotInfo s : snaps) {
            int extra = Math.max(EXTRA_V3, s.extra().length);
            p = (p + 40 + extra + s.id().getBytes(StandardCharsets.UTF_8).length
                    + s.name().getBytes(StandardCharsets.UTF_8).length + 7) & ~7;
        }
        return p;
    }

    private static byte[] extraOf(SnapshotInfo s, long virtualSize) {
        byte[] extra = new byte[Math.max(EXTRA_V3, s.extra().length)];
        System.arraycopy(s.extra(), 0, extra, 0, s.extra().length);
        ByteBuffer e = ByteBuffer.wrap(extra);
        e.putLong(0, s.vmStateSize());
        e.putLong(8, s.diskSize() >= 0 ? s.diskSize() : virtualSize);
        if (s.extra().length < 24) {
            e.putLong(16, s.icount());
        }
        return extra;
    }
}
