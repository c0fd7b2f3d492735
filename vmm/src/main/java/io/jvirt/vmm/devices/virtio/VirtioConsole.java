package io.jvirt.vmm.devices.virtio;

import io.jvirt.vmm.devices.ConsoleInput;

/**
 * virtio-console (virtio 1.2 §5.3) with one port, hvc0 in Linux: what the guest transmits goes
 * to the host console's output, what the host console {@linkplain #receive receives} fills the
 * guest's receive buffers. Made by {@link VirtioDevice#console}.
 */
public interface VirtioConsole extends VirtioDevice, ConsoleInput {

    /**
     * Sets the console size the guest reads with VIRTIO_CONSOLE_F_SIZE (§5.3.4 cols, rows) and,
     * when it changed, sends a configuration-change interrupt so the driver re-reads it (Linux
     * then resizes hvc0, as SIGWINCH does on a terminal).
     */
    @Override
    void resize(int columns, int rows);

    /** Bytes taken from the host and not yet handed to the guest (at most {@code BUFFER}). */
    int pendingInput();
}
