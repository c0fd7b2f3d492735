package io.jvirt.vmm.devices.virtio;

import io.jvirt.vmm.devices.BusDevice;
import io.jvirt.vmm.devices.IrqLine;
import io.jvirt.vmm.memory.GuestMemory;

/**
 * The virtio-mmio transport, version 2 (virtio 1.2 §4.2): a {@link BusDevice} of
 * {@link #WINDOW_SIZE} bytes for the MMIO bus, announced to the guest by the firmware (DSDT
 * device "LNRO0005", FirmwareConfig.VirtioMmio) or the kernel command line
 * ({@code virtio_mmio.device=512@0xd0000000:5}). Its interrupt is level-triggered: high while
 * InterruptStatus is non-zero.
 *
 * <p>Made with {@link #create(VirtioDevice, GuestMemory, IrqLine)}, queue notifications are
 * processed synchronously on the notifying thread (tests, simple embedders). A machine makes it
 * with a doorbell instead ({@link #create(VirtioDevice, GuestMemory, IrqLine, Runnable)}): a
 * QueueNotify write only rings the doorbell, and the device's I/O thread
 * ({@link VirtioThread}) does the work. A guest that corrupts its rings gets
 * DEVICE_NEEDS_RESET (and a configuration-change interrupt once DRIVER_OK); a malformed
 * descriptor chain fails only that request. Nothing the guest writes makes this throw.
 */
public interface VirtioMmio extends BusDevice {

    /** Size of the register window: registers to 0xff, device configuration from 0x100 (§4.2.2). */
    long WINDOW_SIZE = 0x200;

    /**
     * Offset of QueueNotify (§4.2.2): the driver writes a queue index here. Under KVM the
     * machine registers the doorbell eventfd as an ioeventfd at base + this offset (4 bytes, no
     * datamatch), so the write never reaches this window and the I/O thread calls
     * {@link #notifyQueues()}.
     */
    int QUEUE_NOTIFY_OFFSET = 0x050;

    static VirtioMmio create(VirtioDevice device, GuestMemory memory, IrqLine irq) {
        return new MmioTransport(device, memory, irq, null);
    }

    /**
     * A transport whose QueueNotify writes run {@code doorbell} (e.g. write an eventfd) instead
     * of processing the queue; whoever hears the doorbell calls {@link #notifyQueues()}. The
     * doorbell also rings when one round of work left requests behind.
     */
    static VirtioMmio create(VirtioDevice device, GuestMemory memory, IrqLine irq, Runnable doorbell) {
        return new MmioTransport(device, memory, irq, java.util.Objects.requireNonNull(doorbell, "doorbell"));
    }

    /**
     * How often the transport was notified and interrupted its driver, since it was made.
     *
     * @param notifyWrites QueueNotify writes that reached the register window (MMIO exits; an
     *                     ioeventfd that takes them keeps this at zero)
     * @param interrupts   times the interrupt line was raised
     */
    record Counters(long notifyWrites, long interrupts) {
    }

    Counters counters();

    /**
     * Takes the requests of every ready queue: a doorbell that does not say which queue (an
     * ioeventfd without datamatch) means "look at all of them". Ignored unless DRIVER_OK.
     */
    void notifyQueues();

    /**
     * The interrupt controller lowered this transport's line when the guest ended the interrupt
     * (KVM's irqfd resamplefd): raise it again if InterruptStatus is still non-zero, as a level
     * would be.
     */
    void resample();

    /**
     * The driver notified queue {@code index} (the effect of writing it to QueueNotify): the
     * device takes the queue's requests now, on the calling thread. Ignored unless DRIVER_OK.
     */
    void notifyQueue(int index);

    /** Machine reset: the device returns to its reset state as if the driver wrote 0 to Status. */
    void reset();

    /** The device's configuration changed: bump ConfigGeneration and interrupt the driver (§4.2.2). */
    void configChanged();

    /**
     * Disconnects the transport for good: once this returns, no thread (I/O, console input, a
     * device's own) reaches the device or guest memory through it, so guest RAM may be freed.
     * Register reads give 0, writes and notifications are dropped.
     */
    void close();

    /** The Status register (§2.1); bit 6 is DEVICE_NEEDS_RESET. */
    int status();
}
