package io.jvirt.vmm.accel.kvm;

import io.jvirt.sys.EventFd;
import io.jvirt.vmm.accel.AccelVm;

/**
 * A VM on KVM: an {@link AccelVm} that also lets devices bypass the vCPU threads with
 * eventfds (api.rst KVM_IRQFD and KVM_IOEVENTFD). Devices may test {@code vm instanceof
 * KvmAccelVm} and fall back to {@link #irqLine} and bus dispatch otherwise.
 */
public interface KvmAccelVm extends AccelVm {

    /** A write to {@code eventFd} raises an edge on GSI {@code gsi}, from any thread, no exit. */
    void irqfd(EventFd eventFd, int gsi);

    /**
     * A level-triggered irqfd (KVM_IRQFD_FLAG_RESAMPLE): a write to {@code eventFd} asserts GSI
     * {@code gsi} until the guest EOIs it; then KVM lowers it and signals {@code resample}, and
     * the device asserts it again if its interrupt is still pending. Throws
     * {@link io.jvirt.sys.SysException} where KVM lacks KVM_CAP_IRQFD_RESAMPLE.
     */
    void irqfd(EventFd eventFd, int gsi, EventFd resample);

    /** Stops the irqfd set up by {@link #irqfd}. */
    void removeIrqfd(EventFd eventFd, int gsi);

    /**
     * A guest write of {@code length} bytes to {@code address} (a port when {@code pio},
     * else MMIO) signals {@code eventFd} instead of reaching the bus.
     */
    void ioeventfd(EventFd eventFd, long address, int length, boolean pio);

    /** Removes the ioeventfd set up by {@link #ioeventfd}. */
    void removeIoeventfd(EventFd eventFd, long address, int length, boolean pio);
}
