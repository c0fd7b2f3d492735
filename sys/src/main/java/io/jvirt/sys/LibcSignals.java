package io.jvirt.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The C library's thread and signal calls, for kicking vCPU threads ({@link VcpuSignal});
 * failures go through {@link Libc#fail} like every other call.
 */
final class LibcSignals {

    // int sigaction(int signum, const struct sigaction *act, struct sigaction *oldact);
    private static final MethodHandle SIGACTION = Libc.errnoCall("sigaction",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    // pid_t gettid(void);  pid_t getpid(void);  (cannot fail)
    private static final MethodHandle GETTID = Libc.plainCall("gettid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETPID = Libc.plainCall("getpid", FunctionDescriptor.of(JAVA_INT));
    // int tgkill(pid_t tgid, pid_t tid, int sig);
    private static final MethodHandle TGKILL = Libc.errnoCall("tgkill",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    // int pthread_sigmask(int how, const sigset_t *set, sigset_t *oldset);  returns the error number
    private static final MethodHandle PTHREAD_SIGMASK = Libc.plainCall("pthread_sigmask",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    // int __libc_current_sigrtmin(void);  what SIGRTMIN expands to (glibc reserves the first RT signals)
    private static final MethodHandle SIGRTMIN = Libc.plainCall("__libc_current_sigrtmin", FunctionDescriptor.of(JAVA_INT));

    private LibcSignals() {
    }

    static void sigaction(int signal, MemorySegment act, MemorySegment old) {
        try {
            MemorySegment st = Libc.state();
            Libc.check((int) SIGACTION.invokeExact(st, signal, act, old), st, "sigaction", "signal " + signal);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    static int gettid() {
        try {
            return (int) GETTID.invokeExact();
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    static int getpid() {
        try {
            return (int) GETPID.invokeExact();
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** tgkill; returns false when the thread is gone (ESRCH), throws for anything else. */
    static boolean tgkill(int tgid, int tid, int signal) {
        try {
            MemorySegment st = Libc.state();
            int rc = (int) TGKILL.invokeExact(st, tgid, tid, signal);
            if (rc == -1 && Libc.errno(st) == LinuxConstants.ESRCH) {
                return false;
            }
            Libc.check(rc, st, "tgkill", "thread " + tid);
            return true;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    static void pthreadSigmask(int how, MemorySegment set) {
        try {
            int err = (int) PTHREAD_SIGMASK.invokeExact(how, set, MemorySegment.NULL);
            if (err != 0) {
                throw Libc.fail(err, "pthread_sigmask", "thread " + gettid());
            }
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    static int sigrtmin() {
        try {
            return (int) SIGRTMIN.invokeExact();
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }
}
