package io.jvirt.sys;

import java.util.List;

/**
 * A Linux epoll instance (epoll(7)): device threads wait on many eventfds and sockets at once.
 * Each registered fd carries a 64-bit {@code data} token returned with its events.
 */
public interface Epoll extends AutoCloseable {

    /** EPOLLIN: readable. */
    int IN = LinuxConstants.EPOLLIN;
    /** EPOLLOUT: writable. */
    int OUT = LinuxConstants.EPOLLOUT;
    /** EPOLLERR: error (always reported). */
    int ERR = LinuxConstants.EPOLLERR;
    /** EPOLLHUP: hang-up (always reported). */
    int HUP = LinuxConstants.EPOLLHUP;
    /** EPOLLET: edge-triggered. */
    int EDGE = LinuxConstants.EPOLLET;

    /** One ready file descriptor: its events and the token it was registered with. */
    record Event(int events, long data) {
    }

    /** epoll_create1(EPOLL_CLOEXEC). */
    static Epoll create() {
        return EpollImpl.create();
    }

    /** EPOLL_CTL_ADD. */
    void add(int fd, int events, long data);

    /** EPOLL_CTL_MOD. */
    void modify(int fd, int events, long data);

    /** EPOLL_CTL_DEL. */
    void remove(int fd);

    /**
     * epoll_wait for up to {@code maxEvents}; {@code timeoutMillis} -1 waits forever, 0 polls.
     * Returns an empty list on timeout or when a signal interrupted the wait.
     */
    List<Event> await(int maxEvents, int timeoutMillis);

    @Override
    void close();
}
