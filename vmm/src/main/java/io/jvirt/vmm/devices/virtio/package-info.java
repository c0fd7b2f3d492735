/**
 * Virtio devices over the virtio-mmio transport (virtio 1.2 §4.2, version 2 registers, split
 * virtqueues with indirect descriptors and event index).
 *
 * <p>Layers, from guest-facing to device semantics:
 * <ul>
 *   <li>{@link io.jvirt.vmm.devices.virtio.VirtioMmio}: the register window (a
 *       {@code BusDevice} of {@code WINDOW_SIZE} bytes for the MMIO bus), status and feature
 *       negotiation, queue setup, interrupts (level: high while InterruptStatus != 0), device
 *       reset, configuration-change notification.</li>
 *   <li>{@code SplitQueue}: the available/used rings and notification suppression;
 *       {@code ChainWalker}: descriptor-chain syntax, every guest address checked with
 *       {@code GuestMemory.backingOffset} before use. A malformed chain is completed with length
 *       0 and never reaches the device; corrupt rings set DEVICE_NEEDS_RESET.</li>
 *   <li>{@link io.jvirt.vmm.devices.virtio.VirtioDevice}: what a device does with
 *       {@link io.jvirt.vmm.devices.virtio.Request}s taken from a
 *       {@link io.jvirt.vmm.devices.virtio.VirtioQueue}. {@code VirtioDevice.rng()} is virtio-rng,
 *       {@code VirtioDevice.blk(BlockDevice, serial)} virtio-blk (read, write, flush, get-id),
 *       {@code VirtioDevice.net(Tap, mac)} virtio-net (with mergeable receive buffers),
 *       {@code VirtioDevice.console(out)} virtio-console (hvc0).</li>
 *   <li>{@link io.jvirt.vmm.devices.virtio.VirtioThread}: the device's I/O thread, woken by its
 *       doorbell eventfd (an ioeventfd on QueueNotify under KVM) and, under KVM, the irqfd's
 *       resample eventfd. The machine wires these (machine/VirtioWiring).</li>
 * </ul>
 *
 * <p>Wiring one device (what the machine does):
 * <pre>{@code
 * VirtioMmio rng = VirtioMmio.create(VirtioDevice.rng(), memory, vm.irqLine(5));
 * mmio.register(0xd000_0000L, VirtioMmio.WINDOW_SIZE, rng);
 * // and announce it in the DSDT:
 * //   new FirmwareConfig(cpus, List.of(new FirmwareConfig.VirtioMmio(0xd000_0000L, VirtioMmio.WINDOW_SIZE, 5)))
 * }</pre>
 */
package io.jvirt.vmm.devices.virtio;
