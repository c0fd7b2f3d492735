package io.jvirt.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/** {@link FileSpace} over lseek, fallocate and fstat on its own descriptor. */
final class FileSpaceFd implements FileSpace {

    // off_t lseek(int fd, off_t offset, int whence);
    private static final MethodHandle LSEEK = Libc.errnoCall("lseek",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    // int fallocate(int fd, int mode, off_t offset, off_t len);
    private static final MethodHandle FALLOCATE = Libc.errnoCall("fallocate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    // int fstat(int fd, struct stat *statbuf);   (a real symbol since glibc 2.33)
    private static final MethodHandle FSTAT = Libc.errnoCall("fstat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));

    /*
     * struct stat {                    // x86-64, glibc bits/struct_stat.h
     *     __dev_t st_dev;              //   0
     *     __ino_t st_ino;              //   8
     *     __nlink_t st_nlink;          //  16
     *     __mode_t st_mode;            //  24 (unsigned int)
     *     __uid_t st_uid;              //  28
     *     __gid_t st_gid;              //  32
     *     int __pad0;                  //  36
     *     __dev_t st_rdev;             //  40
     *     __off_t st_size;             //  48
     *     __blksize_t st_blksize;      //  56
     *     __blkcnt_t st_blocks;        //  64: 512-byte units
     *     struct timespec st_atim, st_mtim, st_ctim;   // 72, 88, 104
     *     __syscall_slong_t __glibc_reserved[3];       // 120
     * };                               // 144 bytes
     */
    static final StructLayout STAT = MemoryLayout.structLayout(
            JAVA_LONG.withName("st_dev"), JAVA_LONG.withName("st_ino"),
            JAVA_LONG.withName("st_nlink"), JAVA_INT.withName("st_mode"),
            JAVA_INT.withName("st_uid"), JAVA_INT.withName("st_gid"), MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("st_rdev"), JAVA_LONG.withName("st_size"),
            JAVA_LONG.withName("st_blksize"), JAVA_LONG.withName("st_blocks"),
            MemoryLayout.paddingLayout(72)).withName("stat");
    private static final VarHandle ST_BLOCKS =
            STAT.varHandle(MemoryLayout.PathElement.groupElement("st_blocks"));

    private final Fd fd;

    private FileSpaceFd(Fd fd) {
        this.fd = fd;
    }

    static FileSpaceFd open(Path path, boolean writable) {
        String name = path.toString();
        int flags = (writable ? LinuxConstants.O_RDWR : LinuxConstants.O_RDONLY) | LinuxConstants.O_CLOEXEC;
        return new FileSpaceFd(new Fd(Libc.open(name, flags, 0), name));
    }

    @Override
    public long nextData(long offset) {
        return seek(offset, FileSpaceConstants.SEEK_DATA, "lseek(SEEK_DATA)");
    }

    @Override
    public long nextHole(long offset) {
        return seek(offset, FileSpaceConstants.SEEK_HOLE, "lseek(SEEK_HOLE)");
    }

    /** lseek; ENXIO (no data, or offset past the end) is an answer, not an error: -1. */
    private long seek(long offset, int whence, String call) {
        try {
            MemorySegment st = Libc.state();
            long rc = (long) LSEEK.invokeExact(st, fd.get(), offset, whence);
            if (rc == -1) {
                int errno = Libc.errno(st);
                if (errno == FileSpaceConstants.ENXIO) {
                    return -1;
                }
                throw Libc.fail(errno, call, fd.name());
            }
            return rc;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    @Override
    public void punchHole(long offset, long length) {
        fallocate(FileSpaceConstants.FALLOC_FL_PUNCH_HOLE | FileSpaceConstants.FALLOC_FL_KEEP_SIZE,
                offset, length, "fallocate(PUNCH_HOLE|KEEP_SIZE)");
    }

    @Override
    public void allocate(long offset, long length) {
        fallocate(0, offset, length, "fallocate");
    }

    private void fallocate(int mode, long offset, long length, String call) {
        if (length <= 0) {
            return;
        }
        try {
            MemorySegment st = Libc.state();
            Libc.check((int) FALLOCATE.invokeExact(st, fd.get(), mode, offset, length), st, call,
                    fd.name());
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    @Override
    public long allocatedBytes() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(STAT);
            MemorySegment st = Libc.state();
            Libc.check((int) FSTAT.invokeExact(st, fd.get(), buf), st, "fstat", fd.name());
            return (long) ST_BLOCKS.get(buf, 0L) * FileSpaceConstants.S_BLKSIZE;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    @Override
    public void close() {
        fd.close();
    }
}
