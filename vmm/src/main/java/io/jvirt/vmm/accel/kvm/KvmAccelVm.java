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
