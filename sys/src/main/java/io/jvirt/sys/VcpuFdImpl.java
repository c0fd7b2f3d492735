package io.jvirt.sys;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Function;

/** {@link VcpuFd} over a KVM vCPU file descriptor and its mmap'd struct kvm_run. */
final class VcpuFdImpl implements VcpuFd {

    private static final KvmExit INTERRUPTED = new KvmExit.Interrupted();
    private static final KvmExit HLT = new KvmExit.Hlt();
    private static final KvmExit SHUTDOWN = new KvmExit.Shutdown();

    private static final VarHandle BYTE = JAVA_BYTE.varHandle();
    private static final long IMMEDIATE_EXIT = at("immediate_exit");
    private static final long EXIT_REASON = at("exit_reason");
    private static final long IO_DIRECTION = at("io", "direction");
    private static final long IO_SIZE = at("io", "size");
    private static final long IO_PORT = at("io", "port");
    private static final long IO_COUNT = at("io", "count");
    private static final long IO_DATA_OFFSET = at("io", "data_offset");
    private static final long MMIO_PHYS_ADDR = at("mmio", "phys_addr");
    private static final long MMIO_DATA = at("mmio", "data");
    private static final long MMIO_LEN = at("mmio", "len");
    private static final long MMIO_IS_WRITE = at("mmio", "is_write");
    private static final long FAIL_REASON = at("fail_entry", "hardware_entry_failure_reason");
    private static final long FAIL_CPU = at("fail_entry", "cpu");
    private static final long HW_EXIT_REASON = at("hw", "hardware_exit_reason");
    private static final long INTERNAL_SUBERROR = at("internal", "suberror");
    private static final long INTERNAL_NDATA = at("internal", "ndata");
    private static final long INTERNAL_DATA = at("internal", "data");
    private static final long EVENT_TYPE = at("system_event", "type");
    private static final long EVENT_NDATA = at("system_event", "ndata");
    /** The anonymous union { flags; data[16]; } right after ndata. */
    private static final long EVENT_DATA = at("system_event", "ndata") + 4;

    private final Fd fd;
    private final int id;
    private final Arena arena;
    private final MemorySegment run;
    private final AtomicBoolean kickPending = new AtomicBoolean();
    private volatile Thread runner;
    private volatile int runnerTid;
    /** Where the last IN exit wants its bytes: offset into kvm_run and length, or -1. */
    private long pendingInOffset = -1;
    private int pendingInLength;
    private int pendingMmioReadLength;

    private VcpuFdImpl(Fd fd, int id, Arena arena, MemorySegment run) {
        this.fd = fd;
        this.id = id;
        this.arena = arena;
        this.run = run;
    }

    /** Offset of a kvm_run member; two names mean a member of the anonymous exit union. */
    private static long at(String... path) {
        if (path.length == 1) {
            return KvmStructs.offset(KvmLayouts.KVM_RUN, path[0]);
        }
        var members = KvmLayouts.KVM_RUN.memberLayouts();
        long union = members.indexOf(members.stream().filter(m -> m instanceof java.lang.foreign.UnionLayout)
                .findFirst().orElseThrow());
        return KvmLayouts.KVM_RUN.byteOffset(PathElement.groupElement(union), PathElement.groupElement(path[0]),
                PathElement.groupElement(path[1]));
    }

    static VcpuFdImpl map(Fd fd, int id, int runSize) {
        MemorySegment base;
        try {
            base = Libc.mmap(runSize, LinuxConstants.PROT_READ | LinuxConstants.PROT_WRITE,
                    LinuxConstants.MAP_SHARED, fd.get(), 0, fd.name() + " kvm_run");
        } catch (SysException e) {
            fd.close();
            throw e;
        }
        Arena arena = Arena.ofShared();
        MemorySegment run = base.reinterpret(runSize, arena, s -> Libc.munmap(s, runSize, fd.name() + " kvm_run"));
        return new VcpuFdImpl(fd, id, arena, run);
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public KvmExit run() {
        Thread me = Thread.currentThread();
        if (runner != me) {
            VcpuSignal.prepareCurrentThread();
            runnerTid = VcpuSignal.currentThreadId();
            runner = me;
        }
        if (kickPending.getAndSet(false)) {
            BYTE.setVolatile(run, IMMEDIATE_EXIT, (byte) 0);
            return INTERRUPTED;
        }
        pendingInOffset = -1;
        pendingMmioReadLength = 0;
        int rc;
        do {
            // EAGAIN: an AP asleep in KVM_MP_STATE_UNINITIALIZED woke up (INIT/SIPI) and the
            // kernel asks for KVM_RUN again (arch/x86/kvm/x86.c, kvm_arch_vcpu_ioctl_run).
            rc = Libc.ioctlNoThrow(fd.get(), KvmConstants.KVM_RUN, 0);
        } while (rc == -LinuxConstants.EAGAIN && !kickPending.get());
        if (rc == -LinuxConstants.EINTR || rc == -LinuxConstants.EAGAIN) {
            kickPending.set(false);
            BYTE.setVolatile(run, IMMEDIATE_EXIT, (byte) 0);
            return INTERRUPTED;
        }
        if (rc < 0) {
            throw Libc.fail(-rc, "ioctl(KVM_RUN)", fd.name());
        }
        return decode(run.get(JAVA_INT, EXIT_REASON));
    }

    private KvmExit decode(int reason) {
        return switch (reason) {
            case KvmConstants.KVM_EXIT_IO -> io();
            case KvmConstants.KVM_EXIT_MMIO -> mmio();
            case KvmConstants.KVM_EXIT_HLT -> HLT;
            case KvmConstants.KVM_EXIT_SHUTDOWN -> SHUTDOWN;
            case KvmConstants.KVM_EXIT_INTR -> INTERRUPTED;
            case KvmConstants.KVM_EXIT_FAIL_ENTRY ->
                    new KvmExit.FailEntry(run.get(JAVA_LONG, FAIL_REASON), run.get(JAVA_INT, FAIL_CPU));
            case KvmConstants.KVM_EXIT_INTERNAL_ERROR -> new KvmExit.InternalError(run.get(JAVA_INT, INTERNAL_SUBERROR),
                    words(INTERNAL_DATA, run.get(JAVA_INT, INTERNAL_NDATA)));
            case KvmConstants.KVM_EXIT_SYSTEM_EVENT ->
                    new KvmExit.SystemEvent(run.get(JAVA_INT, EVENT_TYPE), words(EVENT_DATA, run.get(JAVA_INT, EVENT_NDATA)));
            default -> new KvmExit.Other(reason, reason == KvmConstants.KVM_EXIT_UNKNOWN ? run.get(JAVA_LONG, HW_EXIT_REASON) : 0);
        };
    }

    private long[] words(long offset, int n) {
        int count = Math.clamp(n, 0, 16);
        return run.asSlice(offset, 8L * count).toArray(JAVA_LONG);
    }

    private KvmExit io() {
        boolean in = run.get(JAVA_BYTE, IO_DIRECTION) == KvmConstants.KVM_EXIT_IO_IN;
        int size = Byte.toUnsignedInt(run.get(JAVA_BYTE, IO_SIZE));
        int port = Short.toUnsignedInt(run.get(JAVA_SHORT, IO_PORT));
        int count = run.get(JAVA_INT, IO_COUNT);
        long offset = run.get(JAVA_LONG, IO_DATA_OFFSET);
        long length = (long) size * Integer.toUnsignedLong(count);
        if (offset < 0 || length <= 0 || offset + length > run.byteSize()) {
            return new KvmExit.InternalError(-1, new long[] {port, size, count, offset});
        }
        if (in) {
            pendingInOffset = offset;
            pendingInLength = (int) length;
            return new KvmExit.Io(true, port, size, count, new byte[0]);
        }
        return new KvmExit.Io(false, port, size, count, run.asSlice(offset, length).toArray(JAVA_BYTE));
    }

    private KvmExit mmio() {
        long address = run.get(JAVA_LONG, MMIO_PHYS_ADDR);
        int len = Math.clamp(run.get(JAVA_INT, MMIO_LEN), 0, 8);
        boolean write = run.get(JAVA_BYTE, MMIO_IS_WRITE) != 0;
        long value = 0;
        if (write) {
            for (int i = len - 1; i >= 0; i--) {
                value = (value << 8) | Byte.toUnsignedLong(run.get(JAVA_BYTE, MMIO_DATA + i));
            }
        } else {
            pendingMmioReadLength = len;
        }
        return new KvmExit.Mmio(address, len, write, value);
    }

    @Override
    public void kick() {
        kickPending.set(true);
        try {
            BYTE.setVolatile(run, IMMEDIATE_EXIT, (byte) 1);
        } catch (IllegalStateException closed) {
            return;
        }
        int tid = runnerTid;
        if (tid != 0) {
            VcpuSignal.send(tid);
        }
    }

    @Override
    public void completeIn(byte[] data) {
        if (pendingInOffset < 0 || data.length != pendingInLength) {
            throw new IllegalStateException(fd.name() + ": completeIn(" + data.length + " bytes) but the last exit "
                    + (pendingInOffset < 0 ? "was not an IN" : "wants " + pendingInLength + " bytes"));
        }
        MemorySegment.copy(data, 0, run, JAVA_BYTE, pendingInOffset, data.length);
    }

    @Override
    public void completeMmioRead(long value) {
        if (pendingMmioReadLength == 0) {
            throw new IllegalStateException(fd.name() + ": completeMmioRead but the last exit was not an MMIO read");
        }
        for (int i = 0; i < pendingMmioReadLength; i++) {
            run.set(JAVA_BYTE, MMIO_DATA + i, (byte) (value >>> (8 * i)));
        }
    }

    private void ioctl(long request, MemorySegment arg, String name) {
        Libc.ioctl(fd.get(), request, arg, name, fd.name());
    }

    /** KVM_GET_* of a fixed-size struct: allocate it, let KVM fill it, decode it. */
    private <T> T getStruct(MemoryLayout layout, long request, String name, Function<MemorySegment, T> decode) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(layout);
            ioctl(request, s, name);
            return decode.apply(s);
        }
    }

    /** KVM_SET_* of a fixed-size struct: allocate it zeroed, encode {@code value}, hand it to KVM. */
    private <T> void setStruct(MemoryLayout layout, long request, String name, BiConsumer<MemorySegment, T> encode,
                               T value) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(layout);
            encode.accept(s, value);
            ioctl(request, s, name);
        }
    }

    @Override
    public KvmRegs regs() {
        return getStruct(KvmLayouts.KVM_REGS, KvmConstants.KVM_GET_REGS, "KVM_GET_REGS", KvmStructs::readRegs);
    }

    @Override
    public void setRegs(KvmRegs regs) {
        setStruct(KvmLayouts.KVM_REGS, KvmConstants.KVM_SET_REGS, "KVM_SET_REGS", KvmStructs::writeRegs, regs);
    }

    @Override
    public KvmSregs sregs() {
        return getStruct(KvmLayouts.KVM_SREGS, KvmConstants.KVM_GET_SREGS, "KVM_GET_SREGS", KvmStructs::readSregs);
    }

    @Override
    public void setSregs(KvmSregs sregs) {
        setStruct(KvmLayouts.KVM_SREGS, KvmConstants.KVM_SET_SREGS, "KVM_SET_SREGS", KvmStructs::writeSregs, sregs);
    }

    @Override
    public KvmFpu fpu() {
        return getStruct(KvmLayouts.KVM_FPU, KvmConstants.KVM_GET_FPU, "KVM_GET_FPU", KvmStructs::readFpu);
    }

    @Override
    public void setFpu(KvmFpu fpu) {
        setStruct(KvmLayouts.KVM_FPU, KvmConstants.KVM_SET_FPU, "KVM_SET_FPU", KvmStructs::writeFpu, fpu);
    }

    @Override
    public List<MsrEntry> msrs(int... indices) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = KvmStructs.writeMsrs(a, java.util.Arrays.stream(indices).mapToObj(i -> new MsrEntry(i, 0)).toList());
            int done = Libc.ioctl(fd.get(), KvmConstants.KVM_GET_MSRS, s, "KVM_GET_MSRS", fd.name());
            if (done != indices.length) {
                throw new IllegalArgumentException(fd.name() + ": KVM_GET_MSRS refused MSR 0x"
                        + Integer.toHexString(indices[done]) + "; leave it out");
            }
            return KvmStructs.readMsrs(s, done);
        }
    }

    @Override
    public void setMsrs(List<MsrEntry> msrs) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = KvmStructs.writeMsrs(a, msrs);
            int done = Libc.ioctl(fd.get(), KvmConstants.KVM_SET_MSRS, s, "KVM_SET_MSRS", fd.name());
            if (done != msrs.size()) {
                MsrEntry bad = msrs.get(done);
                throw new IllegalArgumentException(String.format("%s: KVM_SET_MSRS refused MSR 0x%x = 0x%x; leave it out",
                        fd.name(), bad.index(), bad.value()));
            }
        }
    }

    @Override
    public void setCpuid(List<CpuidEntry> entries) {
        try (Arena a = Arena.ofConfined()) {
            ioctl(KvmConstants.KVM_SET_CPUID2, KvmStructs.writeCpuid(a, entries), "KVM_SET_CPUID2");
        }
    }

    @Override
    public List<CpuidEntry> cpuid() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = KvmStructs.allocateCpuid(a, 256);
            ioctl(KvmConstants.KVM_GET_CPUID2, s, "KVM_GET_CPUID2");
            return KvmStructs.readCpuid(s);
        }
    }

    @Override
    public byte[] lapic() {
        return getStruct(KvmLayouts.KVM_LAPIC_STATE, KvmConstants.KVM_GET_LAPIC, "KVM_GET_LAPIC",
                s -> s.toArray(JAVA_BYTE));
    }

    @Override
    public void setLapic(byte[] registers) {
        if (registers.length != KvmLayouts.KVM_LAPIC_STATE.byteSize()) {
            throw new IllegalArgumentException("kvm_lapic_state is 1024 bytes, got " + registers.length);
        }
        setStruct(KvmLayouts.KVM_LAPIC_STATE, KvmConstants.KVM_SET_LAPIC, "KVM_SET_LAPIC",
                (s, r) -> MemorySegment.copy(r, 0, s, JAVA_BYTE, 0, r.length), registers);
    }

    @Override
    public void clearPendingEvents() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(KvmLayouts.KVM_VCPU_EVENTS);
            // all zero; the flags make KVM apply the zero NMI-pending and interrupt-shadow fields too
            s.set(JAVA_INT, KvmStructs.offset(KvmLayouts.KVM_VCPU_EVENTS, "flags"),
                    KvmConstants.KVM_VCPUEVENT_VALID_NMI_PENDING | KvmConstants.KVM_VCPUEVENT_VALID_SHADOW);
            ioctl(KvmConstants.KVM_SET_VCPU_EVENTS, s, "KVM_SET_VCPU_EVENTS");
        }
    }

    @Override
    public MpState mpState() {
        return getStruct(KvmLayouts.KVM_MP_STATE, KvmConstants.KVM_GET_MP_STATE, "KVM_GET_MP_STATE",
                s -> MpState.of(s.get(JAVA_INT, 0)));
    }

    @Override
    public void setMpState(MpState state) {
        setStruct(KvmLayouts.KVM_MP_STATE, KvmConstants.KVM_SET_MP_STATE, "KVM_SET_MP_STATE",
                (s, m) -> s.set(JAVA_INT, 0, m.ordinal()), state);
    }

    @Override
    public void close() {
        try {
            arena.close();
        } finally {
            fd.close();
        }
    }
}
