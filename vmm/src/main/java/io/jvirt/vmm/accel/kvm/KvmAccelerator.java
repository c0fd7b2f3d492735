package io.jvirt.vmm.accel.kvm;

import io.jvirt.sys.Kvm;
import io.jvirt.sys.KvmCapability;
import io.jvirt.sys.SysException;
import io.jvirt.vmm.accel.AccelVm;
import io.jvirt.vmm.accel.Accelerator;
import io.jvirt.vmm.devices.IoBus;
import io.jvirt.vmm.memory.GuestMemory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The KVM backend: vCPUs are the host CPU through /dev/kvm; the LAPICs, IOAPIC, 8259 pair and
 * 8254 PIT are the kernel's (KVM_CREATE_IRQCHIP, KVM_CREATE_PIT2). One instance holds /dev/kvm
 * open for the life of the process and may create several VMs.
 */
public final class KvmAccelerator implements Accelerator {

    /**
     * Without MMIO-routed x2APIC (interrupt remapping) a guest addresses at most 255 xAPIC IDs
     * (0xff is broadcast); Intel SDM vol. 3A §10.6.2.
     */
    private static final int XAPIC_LIMIT = 255;
    /** api.rst, KVM_CAP_NR_VCPUS: "if the capability is not supported, assume 4". */
    private static final int DEFAULT_NR_VCPUS = 4;

    private final Kvm kvm;
    private final int maxVcpus;

    private KvmAccelerator(Kvm kvm) {
        this.kvm = kvm;
        // api.rst, KVM_CAP_MAX_VCPUS: the hard limit; absent -> use KVM_CAP_NR_VCPUS
        int max = kvm.checkExtension(KvmCapability.MAX_VCPUS);
        if (max <= 0) {
            max = kvm.checkExtension(KvmCapability.NR_VCPUS);
        }
        if (max <= 0) {
            max = DEFAULT_NR_VCPUS;
        }
        this.maxVcpus = Math.min(max, XAPIC_LIMIT);
    }

    /** Opens /dev/kvm; throws {@link IllegalStateException} with a one-line reason when it is missing or not permitted. */
    public static KvmAccelerator open() {
        return open(Kvm.DEVICE);
    }

    /** Opens the KVM device at {@code device} (normally /dev/kvm). */
    static KvmAccelerator open(Path device) {
        String missing = "jvirt: " + device + " not found; load kvm_intel or kvm_amd, or use --accel tcg";
        if (!Files.exists(device)) {
            throw new IllegalStateException(missing);
        }
        Kvm kvm;
        try {
            kvm = Kvm.open(device);
        } catch (SysException e) {
            throw new IllegalStateException(switch (e.errnoName()) {
                case "EACCES", "EPERM" -> "jvirt: " + device + ": permission denied; add this user to the kvm group"
                        + " (usermod -aG kvm $USER, then log in again) or use --accel tcg";
                case "ENOENT", "ENXIO", "ENODEV" -> missing;
                default -> "jvirt: cannot use " + device + ": " + e.getMessage() + "; use --accel tcg";
            }, e);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("jvirt: cannot use " + device + ": " + e.getMessage(), e);
        }
        for (KvmCapability needed : new KvmCapability[] {KvmCapability.IRQCHIP, KvmCapability.USER_MEMORY,
                KvmCapability.SET_TSS_ADDR, KvmCapability.EXT_CPUID, KvmCapability.PIT2, KvmCapability.IMMEDIATE_EXIT}) {
            if (kvm.checkExtension(needed) <= 0) {
                kvm.close();
                throw new IllegalStateException("jvirt: " + device + " lacks KVM_CAP_" + needed
                        + "; use a newer kernel or --accel tcg");
            }
        }
        return new KvmAccelerator(kvm);
    }

    @Override
    public String name() {
        return "kvm";
    }

    @Override
    public int maxVcpus() {
        return maxVcpus;
    }

    @Override
    public AccelVm createVm(GuestMemory memory, IoBus pio, IoBus mmio, int vcpus) {
        if (vcpus < 1 || vcpus > maxVcpus) {
            throw new IllegalArgumentException("kvm: " + vcpus + " vCPUs requested; this host allows 1 to " + maxVcpus);
        }
        return KvmVm.create(kvm, memory, pio, mmio, vcpus);
    }
}
