package io.jvirt.block.qcow2;

/**
 * One internal snapshot as the snapshot table stores it (qcow2.txt "Snapshots").
 *
 * @param id           unique ID string ("1", "2", ...)
 * @param name         tag given by the user
 * @param l1Offset     file offset of the snapshot's L1 table
 * @param l1Size       entries in that table
 * @param dateSec      creation time, seconds since the Epoch
 * @param dateNsec     sub-second part of the creation time
 * @param vmClockNsec  guest run time at the snapshot
 * @param vmStateSize  bytes of saved VM state (0 for disk-only snapshots)
 * @param diskSize     virtual disk size at the snapshot
 * @param icount       instruction count (qemu record/replay), -1 when absent
 * @param extra        the raw extra-data bytes, kept so unknown fields survive
 */
public record SnapshotInfo(String id, String name, long l1Offset, int l1Size, long dateSec,
                           long dateNsec, long vmClockNsec, long vmStateSize, long diskSize,
                           long icount, byte[] extra) {

    SnapshotInfo withL1(long offset, int size) {
        return new SnapshotInfo(id, name, offset, size, dateSec, dateNsec, vmClockNsec,
                vmStateSize, diskSize, icount, extra);
    }
}
