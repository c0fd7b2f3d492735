package io.jvirt.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The C library calls jvirt makes, as downcalls that capture errno
 * ({@link Linker.Option#captureCallState}). Every call that can fail goes through
 * {@link #fail}, the one place errno becomes a {@link SysException}.
 *
 * <p>The wrappers take and return raw values; the typed handles ({@link Kvm}, {@link EventFd},
 * ...) build on them. {@code subject} names what the call is about, for the error message.
 */
final class Libc {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");

    /** One errno capture buffer per thread; lives as long as the thread may call us. */
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    /*
     * Each downcall handle is linked on its first use, in a holder class of its own: linking
     * the FFM machinery and a handle per call shape cost a Linux boot ~100 ms at start when all
     * of them were linked the first time any was used, most of them never called in that run.
     * A holder's static final field stays a constant to the JIT, as a field of Libc was.
     */

    // int open(const char *pathname, int flags, ... /* mode_t mode */);
    private static final class Open {
        static final MethodHandle H = errnoCall("open",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    }
    // int close(int fd);
    private static final class Close {
        static final MethodHandle H = errnoCall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
    // ssize_t read(int fd, void *buf, size_t count);
    private static final class Read {
        static final MethodHandle H = errnoCall("read",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    }
    // ssize_t write(int fd, const void *buf, size_t count);
    private static final class Write {
        static final MethodHandle H = errnoCall("write",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    }
    // ssize_t pread(int fd, void *buf, size_t count, off_t offset);
    private static final class Pread {
        static final MethodHandle H = errnoCall("pread",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    }
    // ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset);
    private static final class Pwrite {
        static final MethodHandle H = errnoCall("pwrite",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    }
    // int fsync(int fd);
    private static final class Fsync {
        static final MethodHandle H = errnoCall("fsync", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
    // int ioctl(int fd, unsigned long request, ...);  -- one pointer or integer argument
    private static final class IoctlPtr {
        static final MethodHandle H = errnoCall("ioctl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    }
    private static final class IoctlLong {
        static final MethodHandle H = errnoCall("ioctl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(2));
    }
    // void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset);
    private static final class Mmap {
        static final MethodHandle H = errnoCall("mmap",
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    }
    // int munmap(void *addr, size_t length);
    private static final class Munmap {
        static final MethodHandle H = errnoCall("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    }
    // int madvise(void *addr, size_t length, int advice);
    private static final class Madvise {
        static final MethodHandle H = errnoCall("madvise",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    }
    // int eventfd(unsigned int initval, int flags);
    private static final class EventFdCall {
        static final MethodHandle H = errnoCall("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }
    // int epoll_create1(int flags);
    private static final class EpollCreate1 {
        static final MethodHandle H = errnoCall("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
    // int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event);
    private static final class EpollCtl {
        static final MethodHandle H = errnoCall("epoll_ctl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    }
    // int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout);
    private static final class EpollWait {
        static final MethodHandle H = errnoCall("epoll_wait",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    }
    // int isatty(int fd);
    private static final class Isatty {
        static final MethodHandle H = errnoCall("isatty", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
    // int tcgetattr(int fd, struct termios *termios_p);
    private static final class TcGetAttr {
        static final MethodHandle H = errnoCall("tcgetattr", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    }
    // int tcsetattr(int fd, int optional_actions, const struct termios *termios_p);
    private static final class TcSetAttr {
        static final MethodHandle H = errnoCall("tcsetattr",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    }
    // const char *strerrorname_np(int errnum);  const char *strerror(int errnum);  (glibc 2.32)
    private static final class StrErrorName {
        static final MethodHandle H = plainCall("strerrorname_np", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }
    private static final class StrError {
        static final MethodHandle H = plainCall("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    private Libc() {
    }

    static MethodHandle errnoCall(String name, FunctionDescriptor fd, Linker.Option... extra) {
        Linker.Option[] opts = new Linker.Option[extra.length + 1];
        opts[0] = ERRNO_OPT;
        System.arraycopy(extra, 0, opts, 1, extra.length);
        return LINKER.downcallHandle(symbol(name), fd, opts);
    }

    static MethodHandle plainCall(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(symbol(name), fd);
    }

    /** The address of a C library function, e.g. to use as a do-nothing signal handler. */
    static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("C library lacks " + name));
    }

    static MemorySegment state() {
        return STATE.get();
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** The single place an errno becomes an exception. */
    static SysException fail(int errno, String call, String subject) {
        return new SysException(errno, errnoName(errno), describe(errno), call, subject);
    }

    static String errnoName(int errno) {
        try {
            MemorySegment s = (MemorySegment) StrErrorName.H.invokeExact(errno);
            return s.equals(MemorySegment.NULL) ? "errno " + errno : s.reinterpret(64).getString(0);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static String describe(int errno) {
        try {
            MemorySegment s = (MemorySegment) StrError.H.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int check(int rc, MemorySegment st, String call, String subject) {
        if (rc == -1) {
            throw fail(errno(st), call, subject);
        }
        return rc;
    }

    private static long check(long rc, MemorySegment st, String call, String subject) {
        if (rc == -1) {
            throw fail(errno(st), call, subject);
        }
        return rc;
    }

    static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    static int open(String path, int flags, int mode) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = state();
            int rc = (int) Open.H.invokeExact(st, a.allocateFrom(path), flags, mode);
            return check(rc, st, "open", path);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static void close(int fd, String subject) {
        try {
            MemorySegment st = state();
            check((int) Close.H.invokeExact(st, fd), st, "close", subject);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static long read(int fd, MemorySegment buf, long count, String subject) {
        try {
            MemorySegment st = state();
            return check((long) Read.H.invokeExact(st, fd, buf, count), st, "read", subject);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * read(2) on a non-blocking descriptor: the byte count, or -EAGAIN when nothing is ready,
     * without an exception (for a poller that is the common case, and a SysException with its
     * message costs microseconds).
     */
    static long readNonBlocking(int fd, MemorySegment buf, long count, String subject) {
        try {
            MemorySegment st = state();
            return checkOrEagain((long) Read.H.invokeExact(st, fd, buf, count), st, "read", subject);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** A non-blocking call's result: -EAGAIN when it would have blocked, else as {@code check}. */
    private static long checkOrEagain(long rc, MemorySegment st, String call, String subject) {
        return rc == -1 && errno(st) == LinuxConstants.EAGAIN ? -LinuxConstants.EAGAIN : check(rc, st, call, subject);
    }

    /** write(2) on a non-blocking fd: the count written, or -EAGAIN when it would block; other errors throw. */
    static long writeNonBlocking(int fd, MemorySegment buf, long count, String subject) {
        try {
            MemorySegment st = state();
            return checkOrEagain((long) Write.H.invokeExact(st, fd, buf, count), st, "write", subject);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static long write(int fd, MemorySegment buf, long count, String subject) {
        try {
            MemorySegment st = state();
            return check((long) Write.H.invokeExact(st, fd, buf, count), st, "write", subject);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static long pread(int fd, MemorySegment buf, long count, long offset, String subject) {
        try {
            MemorySegment st = state();
            return check((long) Pread.H.invokeExact(st, fd, buf, count, offset), st, "pread", subject);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static long pwrite(int fd, MemorySegment buf, long count, long offset, String subject) {
        try {
            MemorySegment st = state();
            return check((long) Pwrite.H.invokeExact(st, fd, buf, count, offset), st, "pwrite", subject);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static void fsync(int fd, String subject) {
        try {
            MemorySegment st = state();
            check((int) Fsync.H.invokeExact(st, fd), st, "fsync", subject);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** ioctl with a pointer argument; {@code name} is the request's name for errors. */
    static int ioctl(int fd, long request, MemorySegment arg, String name, String subject) {
        try {
            MemorySegment st = state();
            return check((int) IoctlPtr.H.invokeExact(st, fd, request, arg), st, "ioctl(" + name + ")", subject);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** ioctl with an integer argument. */
    static int ioctl(int fd, long request, long arg, String name, String subject) {
        try {
            MemorySegment st = state();
            return check((int) IoctlLong.H.invokeExact(st, fd, request, arg), st, "ioctl(" + name + ")", subject);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * ioctl with an integer argument that returns -errno instead of throwing: for KVM_RUN,
     * whose EINTR is an expected outcome, not an error.
     */
    static int ioctlNoThrow(int fd, long request, long arg) {
        try {
            MemorySegment st = state();
            int rc = (int) IoctlLong.H.invokeExact(st, fd, request, arg);
            return rc == -1 ? -errno(st) : rc;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static MemorySegment mmap(long length, int prot, int flags, int fd, long offset, String subject) {
        try {
            MemorySegment st = state();
            MemorySegment p = (MemorySegment) Mmap.H.invokeExact(st, MemorySegment.NULL, length, prot, flags, fd,
                    offset);
            if (p.address() == -1L) {
                throw fail(errno(st), "mmap", subject);
            }
            return p;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static void munmap(MemorySegment address, long length, String subject) {
        try {
            MemorySegment st = state();
            check((int) Munmap.H.invokeExact(st, address, length), st, "munmap", subject);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static void madvise(MemorySegment address, long length, int advice, String subject) {
        try {
            MemorySegment st = state();
            check((int) Madvise.H.invokeExact(st, address, length, advice), st, "madvise(" + advice + ")", subject);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int eventfd(int initval, int flags) {
        try {
            MemorySegment st = state();
            return check((int) EventFdCall.H.invokeExact(st, initval, flags), st, "eventfd", "eventfd");
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int epollCreate1(int flags) {
        try {
            MemorySegment st = state();
            return check((int) EpollCreate1.H.invokeExact(st, flags), st, "epoll_create1", "epoll");
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static void epollCtl(int epfd, int op, int fd, MemorySegment event, String subject) {
        try {
            MemorySegment st = state();
            check((int) EpollCtl.H.invokeExact(st, epfd, op, fd, event), st, "epoll_ctl(op " + op + ")", subject);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** epoll_wait; returns -EINTR when a signal interrupted the wait. */
    static int epollWait(int epfd, MemorySegment events, int max, int timeoutMillis, String subject) {
        try {
            MemorySegment st = state();
            int rc = (int) EpollWait.H.invokeExact(st, epfd, events, max, timeoutMillis);
            if (rc == -1 && errno(st) == LinuxConstants.EINTR) {
                return -LinuxConstants.EINTR;
            }
            return check(rc, st, "epoll_wait", subject);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static boolean isatty(int fd) {
        try {
            MemorySegment st = state();
            return (int) Isatty.H.invokeExact(st, fd) == 1;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static void tcgetattr(int fd, MemorySegment termios, String subject) {
        try {
            MemorySegment st = state();
            check((int) TcGetAttr.H.invokeExact(st, fd, termios), st, "tcgetattr", subject);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static void tcsetattr(int fd, int actions, MemorySegment termios, String subject) {
        try {
            MemorySegment st = state();
            check((int) TcSetAttr.H.invokeExact(st, fd, actions, termios), st, "tcsetattr", subject);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }
}
