package io.jvirt.vmm.machine;

/**
 * How one virtio device of a running machine is wired and how much it was used
 * ({@link Machine#virtioStats()}).
 *
 * @param device       what it is ("--disk ...", "--rng", "virtio-console")
 * @param base         its virtio-mmio window
 * @param gsi          its interrupt line
 * @param ioeventfd    QueueNotify writes go to an ioeventfd (KVM) instead of the MMIO bus
 * @param irqfd        its interrupt goes out through a (resampling) irqfd (KVM) instead of the
 *                     interrupt controller's line
 * @param notifyExits  QueueNotify writes that reached the register window as MMIO exits
 * @param doorbells    doorbell rings the device's I/O thread served
 * @param interrupts   times the device raised its interrupt
 */
public record VirtioStats(String device, long base, int gsi, boolean ioeventfd, boolean irqfd, long notifyExits,
                          long doorbells, long interrupts) {
}
