package io.jvirt.sys;

/**
 * Constants of lseek(2), fallocate(2) and fstat(2) (x86-64, glibc). Field names are the C macro
 * names; FileSpaceLayoutTest checks each value against the C headers with gcc.
 */
final class FileSpaceConstants {

    private FileSpaceConstants() {
    }

    // <unistd.h> (glibc bits/stdio.h, with _GNU_SOURCE)
    static final int SEEK_SET = 0;
    static final int SEEK_DATA = 3;
    static final int SEEK_HOLE = 4;

    // <linux/falloc.h>
    static final int FALLOC_FL_KEEP_SIZE = 0x01;
    static final int FALLOC_FL_PUNCH_HOLE = 0x02;

    // <asm-generic/errno.h>: "no data past this offset" (lseek), "not supported" (fallocate)
    static final int ENXIO = 6;
    static final int EOPNOTSUPP = 95;

    // <sys/stat.h>: st_blocks counts 512-byte units whatever the file system's block size
    static final int S_BLKSIZE = 512;
}
