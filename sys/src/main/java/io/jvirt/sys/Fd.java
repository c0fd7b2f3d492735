package io.jvirt.sys;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * An owned file descriptor that closes once. After {@link #close()}, {@link #get()} throws
 * instead of handing out a number the kernel may already have reused for another file.
 */
final class Fd implements AutoCloseable {

    private final AtomicInteger fd;
    private final String name;

    Fd(int fd, String name) {
        this.fd = new AtomicInteger(fd);
        this.name = name;
    }

    int get() {
        int v = fd.get();
        if (v < 0) {
            throw new IllegalStateException(name + " is closed");
        }
        return v;
    }

    String name() {
        return name;
    }

    @Override
    public void close() {
        int v = fd.getAndSet(-1);
        if (v >= 0) {
            Libc.close(v, name);
        }
    }
}
