package io.jvirt.sys;

import java.nio.file.Path;
import java.util.List;

/**
 * The KVM subsystem, an open /dev/kvm (Documentation/virt/kvm/api.rst §4, "system ioctls").
 * Every failing call throws {@link SysException}.
 */
public interface Kvm extends AutoCloseable {

    /** The usual device node. */
    Path DEVICE = Path.of("/dev/kvm");

    /** Opens /dev/kvm read-write; throws {@link SysException} (ENOENT, EACCES...) when that fails. */
    static Kvm open() {
        return open(DEVICE);
    }

    /** Opens {@code device} (a KVM character device) and checks the API version is 12. */
    static Kvm open(Path device) {
        return KvmImpl.open(device);
    }

    /** KVM_GET_API_VERSION; always 12 for a usable KVM. */
    int apiVersion();

    /** KVM_CHECK_EXTENSION: 0 when unsupported, else 1 or a capability-specific number. */
    int checkExtension(KvmCapability capability);

    /** KVM_CHECK_EXTENSION with a raw KVM_CAP_* number (for probing capabilities not named here). */
    int checkExtension(int capability);

    /** KVM_GET_VCPU_MMAP_SIZE: the size of each vCPU's shared kvm_run area. */
    int vcpuMmapSize();

    /** KVM_GET_SUPPORTED_CPUID: the CPUID leaves KVM can expose on this host. */
    List<CpuidEntry> supportedCpuid();

    /** KVM_GET_MSR_INDEX_LIST: the MSRs KVM saves and restores. */
    int[] msrIndexList();

    /** KVM_CREATE_VM (machine type 0). */
    VmFd createVm();

    @Override
    void close();
}
