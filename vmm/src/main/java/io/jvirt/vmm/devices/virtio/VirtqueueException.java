package io.jvirt.vmm.devices.virtio;

/**
 * A virtqueue's rings are corrupt beyond failing one request: the device must be reset by the
 * driver (virtio 1.2 §2.1.2 DEVICE_NEEDS_RESET). Thrown only for guest-made states, never for
 * a bug in the VMM.
 */
public final class VirtqueueException extends RuntimeException {
    public VirtqueueException(String message) {
        super(message);
    }
}
