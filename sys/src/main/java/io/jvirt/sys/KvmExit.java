package io.jvirt.sys;

import java.util.Arrays;

/** Why KVM_RUN returned (kvm_run.exit_reason and its union member), as {@link VcpuFd#run()} decodes it. */
public sealed interface KvmExit {

    /**
     * KVM_EXIT_IO: {@code count} accesses of {@code size} bytes to {@code port} (count &gt; 1 for
     * REP INS/OUTS). For OUT, {@code data} holds the size*count bytes written; for IN it is
     * empty and the caller supplies them with {@link VcpuFd#completeIn(byte[])} before the
     * next run.
     */
    record Io(boolean in, int port, int size, int count, byte[] data) implements KvmExit {
        @Override
        public String toString() {
            return (in ? "IN" : "OUT") + " port 0x" + Integer.toHexString(port) + " size " + size + " count " + count;
        }
    }

    /**
     * KVM_EXIT_MMIO: an access of {@code length} (1..8) bytes at guest-physical {@code address}.
     * For a write, {@code data} is the little-endian value; for a read the caller supplies it
     * with {@link VcpuFd#completeMmioRead(long)}.
     */
    record Mmio(long address, int length, boolean write, long data) implements KvmExit {
    }

    /** KVM_EXIT_HLT (only without an in-kernel irqchip). */
    record Hlt() implements KvmExit {
    }

    /** KVM_EXIT_SHUTDOWN: triple fault. */
    record Shutdown() implements KvmExit {
    }

    /** KVM_EXIT_SYSTEM_EVENT: {@code type} is KVM_SYSTEM_EVENT_* (1 shutdown, 2 reset, 3 crash). */
    record SystemEvent(int type, long[] data) implements KvmExit {
        public static final int SHUTDOWN = KvmConstants.KVM_SYSTEM_EVENT_SHUTDOWN;
        public static final int RESET = KvmConstants.KVM_SYSTEM_EVENT_RESET;
        public static final int CRASH = KvmConstants.KVM_SYSTEM_EVENT_CRASH;
    }

    /** KVM_EXIT_FAIL_ENTRY: the hardware refused VM entry (VMX/SVM exit code). */
    record FailEntry(long hardwareReason, int cpu) implements KvmExit {
    }

    /** KVM_EXIT_INTERNAL_ERROR: KVM could not go on (e.g. emulation failed), with its data words. */
    record InternalError(int suberror, long[] data) implements KvmExit {
        @Override
        public String toString() {
            String kind = switch (suberror) {
                case KvmConstants.KVM_INTERNAL_ERROR_EMULATION -> "emulation failure";
                case KvmConstants.KVM_INTERNAL_ERROR_SIMUL_EX -> "exception during exception delivery";
                case KvmConstants.KVM_INTERNAL_ERROR_DELIVERY_EV -> "exit during event delivery";
                default -> "suberror " + suberror;
            };
            StringBuilder s = new StringBuilder("internal error: ").append(kind);
            Arrays.stream(data).forEach(d -> s.append(" 0x").append(Long.toHexString(d)));
            return s.toString();
        }
    }

    /** KVM_RUN returned EINTR or KVM_EXIT_INTR: a kick (or another signal) interrupted it. */
    record Interrupted() implements KvmExit {
    }

    /** Any other exit reason (KVM_EXIT_*), e.g. KVM_EXIT_DEBUG; {@code hardwareReason} for KVM_EXIT_UNKNOWN. */
    record Other(int reason, long hardwareReason) implements KvmExit {
    }
}
