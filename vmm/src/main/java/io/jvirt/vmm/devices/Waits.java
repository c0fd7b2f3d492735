package io.jvirt.vmm.devices;

/**
 * Waiting that an interrupt does not cut short: stopping a vCPU or an I/O thread must see it
 * finish, or its resources (eventfds, epoll, guest memory) would be closed under it.
 */
public final class Waits {
    private Waits() {
    }

    /** A wait that an interrupt may end early. */
    public interface Wait {
        void run() throws InterruptedException;
    }

    /** Runs {@code wait} to its end even if this thread is interrupted meanwhile; the interrupt is set again afterwards. */
    public static void uninterruptibly(Wait wait) {
        boolean interrupted = false;
        while (true) {
            try {
                wait.run();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
