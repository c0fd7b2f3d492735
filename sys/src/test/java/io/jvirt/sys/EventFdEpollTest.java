package io.jvirt.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class EventFdEpollTest {

    @Test
    void eventFdCountsAndEpollReportsIt() {
        try (EventFd a = EventFd.create(true); EventFd b = EventFd.create(true); Epoll epoll = Epoll.create()) {
            epoll.add(a.fd(), Epoll.IN, 0xa);
            epoll.add(b.fd(), Epoll.IN, 0xbL << 40);
            assertEquals(List.of(), epoll.await(4, 0));
            b.write(3);
            b.write(4);
            assertEquals(List.of(new Epoll.Event(Epoll.IN, 0xbL << 40)), epoll.await(4, 1000));
            assertEquals(7, b.read());
            assertEquals(0, b.read(), "non-blocking read of an empty eventfd");
            a.write(1);
            epoll.remove(a.fd());
            assertEquals(List.of(), epoll.await(4, 0));
        }
    }

    @Test
    void terminalOnANonTtyFailsWithEnotty() {
        try (EventFd e = EventFd.create(false)) {
            assertFalse(Terminal.isTerminal(e.fd()));
            SysException x = assertThrows(SysException.class, () -> Terminal.enterRaw(e.fd(), true));
            assertEquals("ENOTTY", x.errnoName());
            assertEquals("tcgetattr", x.call());
        }
    }

    @Test
    void closedFdIsNotReused() {
        EventFd e = EventFd.create(false);
        e.close();
        e.close(); // idempotent
        assertThrows(IllegalStateException.class, e::fd);
    }
}
