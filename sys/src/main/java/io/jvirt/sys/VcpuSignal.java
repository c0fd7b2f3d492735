package io.jvirt.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The signal that kicks a vCPU thread out of KVM_RUN. Its handler is a native function that
 * ignores its argument (libc's {@code abs}): a Java upcall must never run as a signal handler
 * (it could run on a thread the JVM is stopping, in the middle of anything). The handler is
 * installed without SA_RESTART so the interrupted KVM_RUN returns EINTR.
 *
 * <p>The signal is SIGRTMIN+5: HotSpot uses SIGSEGV/SIGBUS/SIGFPE/SIGILL/SIGPIPE/SIGXFSZ,
 * SIGUSR2 (suspend/resume), SIGQUIT and the shutdown signals; glibc reserves the two signals
 * below SIGRTMIN for NPTL. No real-time signal is the JVM's.
 */
final class VcpuSignal {

    /** The kick signal number. */
    static final int SIGNAL;
    private static final int PID;

    static {
        SIGNAL = LibcSignals.sigrtmin() + 5;
        PID = LibcSignals.getpid();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment act = arena.allocate(LinuxLayouts.SIGACTION);
            act.set(ValueLayout.ADDRESS, KvmStructs.offset(LinuxLayouts.SIGACTION, "sa_handler"), Libc.symbol("abs"));
            // sa_mask empty, sa_flags 0: no SA_RESTART, so KVM_RUN fails with EINTR
            LibcSignals.sigaction(SIGNAL, act, MemorySegment.NULL);
        }
    }

    private VcpuSignal() {
    }

    /** Unblocks the kick signal on the calling thread (threads inherit their creator's mask). */
    static void prepareCurrentThread() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment set = arena.allocate(LinuxLayouts.SIGSET);
            int bit = SIGNAL - 1; // sigaddset: bit (signo - 1) of the __val words
            set.set(ValueLayout.JAVA_LONG, 8L * (bit / 64), 1L << (bit % 64));
            LibcSignals.pthreadSigmask(LinuxConstants.SIG_UNBLOCK, set);
        }
    }

    /** Signals thread {@code tid} of this process; false when it has exited. */
    static boolean send(int tid) {
        return LibcSignals.tgkill(PID, tid, SIGNAL);
    }

    static int currentThreadId() {
        return LibcSignals.gettid();
    }
}
