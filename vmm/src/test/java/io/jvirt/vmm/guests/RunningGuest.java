package io.jvirt.vmm.guests;

import java.io.IOException;
import java.time.Duration;

/** A booted VM seen through its serial console, whichever VMM runs it (QEMU or jvirt). */
public interface RunningGuest extends AutoCloseable {

    /** Everything the guest printed so far, carriage returns dropped. */
    String output();

    /** Waits for {@code marker} in the output; false on timeout or if the VM ended without it. */
    boolean await(String marker, Duration timeout) throws InterruptedException;

    /** Types {@code text} on the console. */
    void send(String text) throws IOException;

    /** Waits for the VM to end and returns the VMM's exit status; -1 (after killing it) on timeout. */
    int exit(Duration timeout) throws InterruptedException;

    /** What ran and what it printed, for assertion messages. */
    String describe();

    @Override
    void close();
}
