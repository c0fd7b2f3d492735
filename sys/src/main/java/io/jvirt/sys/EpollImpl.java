package io.jvirt.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/** {@link Epoll} over epoll_create1/epoll_ctl/epoll_wait. */
final class EpollImpl implements Epoll {

    private static final long EVENT = LinuxLayouts.EPOLL_EVENT.byteSize();
    private static final long EVENTS = KvmStructs.offset(LinuxLayouts.EPOLL_EVENT, "events");
    private static final long DATA = KvmStructs.offset(LinuxLayouts.EPOLL_EVENT, "data");
    private static final ValueLayout.OfLong DATA_LAYOUT = ValueLayout.JAVA_LONG_UNALIGNED;

    private final Fd fd;

    private EpollImpl(Fd fd) {
        this.fd = fd;
    }

    static EpollImpl create() {
        int n = Libc.epollCreate1(LinuxConstants.EPOLL_CLOEXEC);
        return new EpollImpl(new Fd(n, "epoll " + n));
    }

    private void ctl(int op, int target, int events, long data) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment e = a.allocate(LinuxLayouts.EPOLL_EVENT);
            e.set(ValueLayout.JAVA_INT, EVENTS, events);
            e.set(DATA_LAYOUT, DATA, data);
            Libc.epollCtl(fd.get(), op, target, e, fd.name() + " fd " + target);
        }
    }

    @Override
    public void add(int target, int events, long data) {
        ctl(LinuxConstants.EPOLL_CTL_ADD, target, events, data);
    }

    @Override
    public void modify(int target, int events, long data) {
        ctl(LinuxConstants.EPOLL_CTL_MOD, target, events, data);
    }

    @Override
    public void remove(int target) {
        ctl(LinuxConstants.EPOLL_CTL_DEL, target, 0, 0);
    }

    @Override
    public List<Event> await(int maxEvents, int timeoutMillis) {
        if (maxEvents <= 0) {
            throw new IllegalArgumentException("epoll_wait needs maxEvents > 0, got " + maxEvents);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment events = a.allocate(EVENT * maxEvents, 8);
            int n = Libc.epollWait(fd.get(), events, maxEvents, timeoutMillis, fd.name());
            List<Event> out = new ArrayList<>(Math.max(n, 0));
            for (int i = 0; i < n; i++) {
                out.add(new Event(events.get(ValueLayout.JAVA_INT, EVENT * i + EVENTS),
                        events.get(DATA_LAYOUT, EVENT * i + DATA)));
            }
            return out;
        }
    }

    @Override
    public void close() {
        fd.close();
    }
}
