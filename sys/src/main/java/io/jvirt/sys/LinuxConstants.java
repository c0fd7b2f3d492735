package io.jvirt.sys;

/**
 * Linux/glibc constants for x86-64. Field names are the C macro names; SysLayoutTest checks
 * each value against the C headers with gcc.
 */
final class LinuxConstants {

    private LinuxConstants() {
    }

    // <asm-generic/errno-base.h>, <asm-generic/errno.h>
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int ESRCH = 3;
    static final int EINTR = 4;
    static final int ENXIO = 6;
    static final int EBADF = 9;
    static final int EAGAIN = 11;
    static final int EACCES = 13;
    static final int EFAULT = 14;
    static final int EEXIST = 17;
    static final int ENODEV = 19;
    static final int EINVAL = 22;
    static final int ENOTTY = 25;

    // <asm-generic/fcntl.h>
    static final int O_RDONLY = 0;
    static final int O_WRONLY = 01;
    static final int O_RDWR = 02;
    static final int O_CREAT = 0100;
    static final int O_EXCL = 0200;
    static final int O_NOCTTY = 0400;
    static final int O_TRUNC = 01000;
    static final int O_APPEND = 02000;
    static final int O_NONBLOCK = 04000;
    static final int O_DIRECT = 040000;
    static final int O_CLOEXEC = 02000000;

    // <asm-generic/mman-common.h>
    static final int PROT_NONE = 0x0;
    static final int PROT_READ = 0x1;
    static final int PROT_WRITE = 0x2;
    static final int MAP_SHARED = 0x01;
    static final int MAP_PRIVATE = 0x02;
    static final int MAP_ANONYMOUS = 0x20;
    static final int MAP_NORESERVE = 0x4000;
    static final int MADV_DONTNEED = 4;
    static final int MADV_REMOVE = 9;
    static final int MADV_DONTFORK = 10;
    static final int MADV_MERGEABLE = 12;
    static final int MADV_HUGEPAGE = 14;

    // <sys/eventfd.h>
    static final int EFD_SEMAPHORE = 1;
    static final int EFD_NONBLOCK = 04000;
    static final int EFD_CLOEXEC = 02000000;

    // <sys/epoll.h>
    static final int EPOLL_CLOEXEC = 02000000;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CTL_DEL = 2;
    static final int EPOLL_CTL_MOD = 3;
    static final int EPOLLIN = 0x001;
    static final int EPOLLPRI = 0x002;
    static final int EPOLLOUT = 0x004;
    static final int EPOLLERR = 0x008;
    static final int EPOLLHUP = 0x010;
    static final int EPOLLRDHUP = 0x2000;
    static final int EPOLLET = 1 << 31;

    // <termios.h> (glibc bits/termios-c_*flag.h)
    static final int TCSANOW = 0;
    /** ioctl: get struct winsize (asm-generic/ioctls.h). */
    static final int TIOCGWINSZ = 0x5413;
    static final int TCSADRAIN = 1;
    static final int VMIN = 6;
    static final int VTIME = 5;
    static final int IGNBRK = 0000001;
    static final int BRKINT = 0000002;
    static final int PARMRK = 0000010;
    static final int ISTRIP = 0000040;
    static final int INLCR = 0000100;
    static final int IGNCR = 0000200;
    static final int ICRNL = 0000400;
    static final int IXON = 0002000;
    static final int OPOST = 0000001;
    static final int CSIZE = 0000060;
    static final int PARENB = 0000400;
    static final int CS8 = 0000060;
    static final int ISIG = 0000001;
    static final int ICANON = 0000002;
    static final int ECHO = 0000010;
    static final int ECHONL = 0000100;
    static final int IEXTEN = 0100000;

    // <signal.h> (glibc bits/sigaction.h, bits/sigaction.h for x86-64)
    static final int SIG_BLOCK = 0;
    static final int SIG_UNBLOCK = 1;
    static final int SA_RESTART = 0x10000000;
    static final int SA_ONSTACK = 0x08000000;
}
