package io.jvirt.vmm.guest;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a cpio archive in the "newc" format the kernel unpacks as an initramfs
 * (Documentation/driver-api/early-userspace/buffer-format.rst): per entry a 110-byte ASCII
 * header "070701" + 13 eight-digit hex fields, the NUL-terminated name padded to 4 bytes, the
 * data padded to 4 bytes; the archive ends with an entry named "TRAILER!!!".
 */
final class Cpio {

    /** st_mode file-type bits (include/uapi/linux/stat.h). */
    static final int S_IFDIR = 0040000;
    static final int S_IFREG = 0100000;
    static final int S_IFLNK = 0120000;
    static final int S_IFCHR = 0020000;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private int inode = 1;
    private boolean finished;

    void directory(String name, int perm) {
        entry(name, S_IFDIR | perm, 0, 0, new byte[0]);
    }

    void file(String name, int perm, byte[] data) {
        entry(name, S_IFREG | perm, 0, 0, data);
    }

    void symlink(String name, String target) {
        entry(name, S_IFLNK | 0777, 0, 0, target.getBytes(StandardCharsets.UTF_8));
    }

    void charDevice(String name, int perm, int major, int minor) {
        entry(name, S_IFCHR | perm, major, minor, new byte[0]);
    }

    /** Appends the trailer and returns the archive. */
    byte[] finish() {
        if (!finished) {
            entry("TRAILER!!!", 0, 0, 0, new byte[0]);
            finished = true;
        }
        return out.toByteArray();
    }

    private void entry(String name, int mode, int rdevMajor, int rdevMinor, byte[] data) {
        if (finished) {
            throw new IllegalStateException("cpio archive already finished; cannot add " + name);
        }
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        boolean trailer = name.equals("TRAILER!!!");
        StringBuilder h = new StringBuilder("070701");
        hex(h, trailer ? 0 : inode++);      // c_ino
        hex(h, mode);                       // c_mode
        hex(h, 0);                          // c_uid
        hex(h, 0);                          // c_gid
        hex(h, (mode & S_IFDIR) == S_IFDIR && !trailer ? 2 : 1); // c_nlink
        hex(h, 0);                          // c_mtime: reproducible archives
        hex(h, data.length);                // c_filesize
        hex(h, 0);                          // c_devmajor
        hex(h, 0);                          // c_devminor
        hex(h, rdevMajor);                  // c_rdevmajor
        hex(h, rdevMinor);                  // c_rdevminor
        hex(h, n.length + 1);               // c_namesize, with the NUL
        hex(h, 0);                          // c_check: 0 for "070701"
        out.writeBytes(h.toString().getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(n);
        out.write(0);
        pad();
        out.writeBytes(data);
        pad();
    }

    private static void hex(StringBuilder h, long v) {
        String s = Long.toHexString(v & 0xffffffffL);
        h.append("0".repeat(8 - s.length())).append(s);
    }

    private void pad() {
        while (out.size() % 4 != 0) {
            out.write(0);
        }
    }
}
