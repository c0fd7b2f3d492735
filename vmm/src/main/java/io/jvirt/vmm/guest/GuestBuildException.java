package io.jvirt.vmm.guest;

/** The default guest could not be built; the message is one line naming the step and the fix. */
public final class GuestBuildException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public GuestBuildException(String message) {
        super(message);
    }

    public GuestBuildException(String message, Throwable cause) {
        super(message, cause);
    }
}
