package io.jvirt.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** {@link EventFd} over eventfd(2). */
final class EventFdImpl implements EventFd {

    private final Fd fd;

    private EventFdImpl(Fd fd) {
        this.fd = fd;
    }

    static EventFdImpl create(boolean nonBlocking) {
        int flags = LinuxConstants.EFD_CLOEXEC | (nonBlocking ? LinuxConstants.EFD_NONBLOCK : 0);
        int n = Libc.eventfd(0, flags);
        return new EventFdImpl(new Fd(n, "eventfd " + n));
    }

    @Override
    public int fd() {
        return fd.get();
    }

    @Override
    public void write(long value) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocateFrom(ValueLayout.JAVA_LONG, value);
            Libc.write(fd.get(), v, 8, fd.name());
        }
    }

    @Override
    public long read() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(ValueLayout.JAVA_LONG);
            if (Libc.readNonBlocking(fd.get(), v, 8, fd.name()) == -LinuxConstants.EAGAIN) {
                return 0;
            }
            return v.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    @Override
    public void close() {
        fd.close();
    }
}
