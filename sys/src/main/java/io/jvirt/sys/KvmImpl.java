package io.jvirt.sys;

import static io.jvirt.sys.KvmConstants.KVM_CHECK_EXTENSION;
import static io.jvirt.sys.KvmConstants.KVM_CREATE_VM;
import static io.jvirt.sys.KvmConstants.KVM_GET_API_VERSION;
import static io.jvirt.sys.KvmConstants.KVM_GET_MSR_INDEX_LIST;
import static io.jvirt.sys.KvmConstants.KVM_GET_SUPPORTED_CPUID;
import static io.jvirt.sys.KvmConstants.KVM_GET_VCPU_MMAP_SIZE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;

/** {@link Kvm} over an open /dev/kvm file descriptor. */
final class KvmImpl implements Kvm {

    /** Generous upper bounds for the variable-length answers (KVM_MAX_CPUID_ENTRIES is 256). */
    private static final int MAX_CPUID_ENTRIES = 256;
    private static final int MAX_MSRS = 1024;

    private final Fd fd;
    private final String name;

    private KvmImpl(Fd fd, String name) {
        this.fd = fd;
        this.name = name;
    }

    static KvmImpl open(Path device) {
        String name = device.toString();
        Fd fd = new Fd(Libc.open(name, LinuxConstants.O_RDWR | LinuxConstants.O_CLOEXEC, 0), name);
        KvmImpl kvm = new KvmImpl(fd, name);
        int version = kvm.apiVersion();
        if (version != KvmConstants.KVM_API_VERSION) {
            fd.close();
            throw new IllegalStateException(name + ": KVM API version " + version + ", jvirt needs "
                    + KvmConstants.KVM_API_VERSION + "; use --accel tcg");
        }
        return kvm;
    }

    @Override
    public int apiVersion() {
        return Libc.ioctl(fd.get(), KVM_GET_API_VERSION, 0L, "KVM_GET_API_VERSION", name);
    }

    @Override
    public int checkExtension(KvmCapability capability) {
        return checkExtension(capability.value());
    }

    @Override
    public int checkExtension(int capability) {
        return Libc.ioctl(fd.get(), KVM_CHECK_EXTENSION, capability, "KVM_CHECK_EXTENSION", name);
    }

    @Override
    public int vcpuMmapSize() {
        return Libc.ioctl(fd.get(), KVM_GET_VCPU_MMAP_SIZE, 0L, "KVM_GET_VCPU_MMAP_SIZE", name);
    }

    @Override
    public List<CpuidEntry> supportedCpuid() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cpuid = KvmStructs.allocateCpuid(arena, MAX_CPUID_ENTRIES);
            Libc.ioctl(fd.get(), KVM_GET_SUPPORTED_CPUID, cpuid, "KVM_GET_SUPPORTED_CPUID", name);
            return KvmStructs.readCpuid(cpuid);
        }
    }

    @Override
    public int[] msrIndexList() {
        try (Arena arena = Arena.ofConfined()) {
            long header = KvmLayouts.KVM_MSR_LIST.byteSize();
            MemorySegment list = arena.allocate(header + 4L * MAX_MSRS, 8);
            list.set(ValueLayout.JAVA_INT, 0, MAX_MSRS);
            Libc.ioctl(fd.get(), KVM_GET_MSR_INDEX_LIST, list, "KVM_GET_MSR_INDEX_LIST", name);
            int n = list.get(ValueLayout.JAVA_INT, 0);
            return list.asSlice(header, 4L * n).toArray(ValueLayout.JAVA_INT);
        }
    }

    @Override
    public VmFd createVm() {
        int vm = Libc.ioctl(fd.get(), KVM_CREATE_VM, 0L, "KVM_CREATE_VM", name);
        return new VmFdImpl(new Fd(vm, "kvm vm"), vcpuMmapSize());
    }

    @Override
    public void close() {
        fd.close();
    }
}
