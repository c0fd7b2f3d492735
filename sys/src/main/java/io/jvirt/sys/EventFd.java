package io.jvirt.sys;

/**
 * A Linux eventfd (eventfd(2)): a 64-bit counter that wakes readers. With KVM it carries
 * interrupts in (irqfd) and doorbell writes out (ioeventfd) without a vCPU exit to Java.
 */
public interface EventFd extends AutoCloseable {

    /** A new eventfd with counter 0, close-on-exec; {@code nonBlocking} makes {@link #read()} return 0 when empty. */
    static EventFd create(boolean nonBlocking) {
        return EventFdImpl.create(nonBlocking);
    }

    /** The file descriptor number, for epoll and KVM registration. */
    int fd();

    /** Adds {@code value} to the counter. */
    void write(long value);

    /** Reads and resets the counter; blocks while it is 0 unless non-blocking (then returns 0). */
    long read();

    @Override
    void close();
}
