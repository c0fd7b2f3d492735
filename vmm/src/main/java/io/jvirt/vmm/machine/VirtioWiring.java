package io.jvirt.vmm.machine;

import io.jvirt.sys.EventFd;
import io.jvirt.sys.SysException;
import io.jvirt.vmm.accel.AccelVm;
import io.jvirt.vmm.accel.kvm.KvmAccelVm;
import io.jvirt.vmm.arch.x86_64.firmware.FirmwareConfig;
import io.jvirt.vmm.devices.IrqLine;
import io.jvirt.vmm.devices.virtio.GuestDoorbell;
import io.jvirt.vmm.devices.virtio.VirtioDevice;
import io.jvirt.vmm.devices.virtio.VirtioMmio;
import io.jvirt.vmm.devices.virtio.VirtioThread;
import io.jvirt.vmm.memory.GuestMemory;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One virtio device wired into the machine: its transport, its doorbell eventfd and I/O thread,
 * and its interrupt. What differs between the accelerators, and why:
 *
 * <ul>
 *   <li>KVM: the doorbell is an ioeventfd on QueueNotify (api.rst KVM_IOEVENTFD), so a guest's
 *       notification wakes the I/O thread without leaving the kernel; the interrupt is a
 *       resampling irqfd (KVM_IRQFD_FLAG_RESAMPLE), which keeps the DSDT's level-triggered line
 *       correct: KVM holds it until the guest's EOI, then the I/O thread asserts it again if
 *       InterruptStatus is still non-zero.</li>
 *   <li>Software CPU: there is no kernel to catch the write, so the MMIO write on the vCPU
 *       thread rings a {@link GuestDoorbell}: a flag the I/O thread polls for a while after each
 *       request, and the same eventfd once it sleeps; the interrupt drives the emulated IOAPIC's
 *       input, which is thread-safe and level-aware by itself.</li>
 * </ul>
 * Either way the device's work runs on its I/O thread, never on a vCPU thread.
 */
final class VirtioWiring implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(VirtioWiring.class.getName());

    private final String name;
    private final FirmwareConfig.VirtioMmio window;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private VirtioMmio transport;
    private VirtioThread thread;
    private boolean ioeventfd;
    private boolean irqfd;

    private VirtioWiring(String name, FirmwareConfig.VirtioMmio window) {
        this.name = name;
        this.window = window;
    }

    /** Wires {@code device} at {@code window}; on failure releases what it made and throws. */
    static VirtioWiring wire(String name, VirtioDevice device, FirmwareConfig.VirtioMmio window, GuestMemory memory,
            AccelVm vm) {
        VirtioWiring w = new VirtioWiring(name, window);
        try {
            w.build(device, memory, vm);
            return w;
        } catch (RuntimeException e) {
            w.close();
            throw e;
        }
    }

    private void build(VirtioDevice device, GuestMemory memory, AccelVm vm) {
        EventFd doorbell = own(EventFd.create(true));
        Optional<EventFd> resample = Optional.empty();
        IrqLine line = vm.irqLine(window.gsi());
        if (vm instanceof KvmAccelVm kvm) {
            EventFd irq = own(EventFd.create(true));
            EventFd r = own(EventFd.create(true));
            try {
                kvm.irqfd(irq, window.gsi(), r);
                resample = Optional.of(r);
                line = high -> {
                    if (high) {
                        irq.write(1); // lowering is KVM's, at the guest's EOI
                    }
                };
                irqfd = true;
            } catch (SysException e) {
                LOG.log(Level.INFO, "{0}: no resampling irqfd ({1}); interrupts use KVM_IRQ_LINE", name, e.getMessage());
            }
        }
        if (vm instanceof KvmAccelVm kvm) {
            transport = VirtioMmio.create(device, memory, line, () -> doorbell.write(1));
            kvm.ioeventfd(doorbell, window.base() + VirtioMmio.QUEUE_NOTIFY_OFFSET, 4, false);
            ioeventfd = true;
            thread = VirtioThread.start("virtio " + name, transport, doorbell, resample);
        } else {
            GuestDoorbell bell = GuestDoorbell.over(doorbell, GuestDoorbell.maxPollNanos());
            transport = VirtioMmio.create(device, memory, line, bell::ring);
            thread = VirtioThread.start("virtio " + name, transport, bell);
        }
    }

    private EventFd own(EventFd fd) {
        owned.add(fd);
        return fd;
    }

    VirtioMmio transport() {
        return transport;
    }

    VirtioStats stats() {
        VirtioMmio.Counters c = transport.counters();
        return new VirtioStats(name, window.base(), window.gsi(), ioeventfd, irqfd, c.notifyWrites(),
                thread == null ? 0 : thread.doorbells(), c.interrupts());
    }

    /**
     * Closes the transport, stops the I/O thread and closes the eventfds (KVM keeps its own references until the VM
     * closes; no vCPU runs by then).
     */
    @Override
    public void close() {
        if (transport != null) {
            transport.close(); // console input or a late doorbell no longer reaches guest RAM
        }
        if (thread != null) {
            thread.close();
            thread = null;
        }
        for (AutoCloseable c : owned.reversed()) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, name + ": closing an eventfd failed", e);
            }
        }
        owned.clear();
    }
}
