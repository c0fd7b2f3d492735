package io.jvirt.vmm.devices.virtio;

import io.jvirt.sys.Epoll;
import io.jvirt.sys.EventFd;
import io.jvirt.vmm.devices.Waits;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link VirtioThread}: one epoll loop over doorbell, resample and a stop eventfd; with a
 * {@link PolledDoorbell} (the software CPU) it polls the doorbell's flag for a while after each
 * piece of work before it sleeps.
 */
final class IoLoop implements VirtioThread {
    private static final System.Logger LOG = System.getLogger(IoLoop.class.getName());
    private static final long DOORBELL = 0;
    private static final long RESAMPLE = 1;
    private static final long STOP = 2;

    private final String name;
    private final VirtioMmio transport;
    private final EventFd doorbell;
    private final Optional<EventFd> resample;
    private final PolledDoorbell polled; // null when the kernel rings (KVM's ioeventfd)
    private final EventFd stop = EventFd.create(true);
    private final Epoll epoll = Epoll.create();
    private final AtomicLong doorbells = new AtomicLong();
    private final LogLimiter warnings = new LogLimiter(LOG);
    private Thread thread;

    private IoLoop(String name, VirtioMmio transport, EventFd doorbell, Optional<EventFd> resample,
            PolledDoorbell polled) {
        this.name = name;
        this.transport = transport;
        this.doorbell = doorbell;
        this.resample = resample;
        this.polled = polled;
    }

    static IoLoop start(String name, VirtioMmio transport, EventFd doorbell, Optional<EventFd> resample) {
        return start(new IoLoop(name, transport, doorbell, resample, null));
    }

    static IoLoop start(String name, VirtioMmio transport, PolledDoorbell doorbell) {
        return start(new IoLoop(name, transport, doorbell.eventFd(), Optional.empty(), doorbell));
    }

    private static IoLoop start(IoLoop l) {
        EventFd doorbell = l.doorbell;
        Optional<EventFd> resample = l.resample;
        try {
            l.epoll.add(doorbell.fd(), Epoll.IN, DOORBELL);
            resample.ifPresent(r -> l.epoll.add(r.fd(), Epoll.IN, RESAMPLE));
            l.epoll.add(l.stop.fd(), Epoll.IN, STOP);
        } catch (RuntimeException e) {
            l.epoll.close();
            l.stop.close();
            throw e;
        }
        l.thread = Thread.ofPlatform().daemon().name(l.name).start(l::run);
        return l;
    }

    private void run() {
        while (true) {
            long polledFrom = 0;
            if (polled != null) {
                polledFrom = poll();
                if (!polled.sleep()) {
                    continue;
                }
            }
            List<Epoll.Event> events = epoll.await(4, -1);
            if (polled != null) {
                polled.awake();
            }
            for (Epoll.Event e : events) {
                if (e.data() == STOP) {
                    return;
                }
                if (e.data() == DOORBELL) {
                    doorbell.read(); // non-blocking: resets the count; several rings are one
                    if (polled != null) {
                        polled.take();
                        polled.window().waited(System.nanoTime() - polledFrom);
                    }
                    serveQueues();
                } else {
                    try {
                        resample.orElseThrow().read();
                        transport.resample();
                    } catch (RuntimeException ex) {
                        warnings.warn("{0}: device work failed: {1}", name, ex.toString());
                    }
                }
            }
        }
    }

    /** Serves rings until none came for the doorbell's poll window; returns when that last window began. */
    private long poll() {
        long start = System.nanoTime();
        do {
            if (polled.take()) {
                serveQueues();
                start = System.nanoTime();
            } else {
                Thread.onSpinWait();
            }
        } while (System.nanoTime() - start < polled.window().nanos());
        return start;
    }

    private void serveQueues() {
        doorbells.incrementAndGet();
        try {
            transport.notifyQueues();
        } catch (RuntimeException ex) {
            // A device bug (the transport already contains what guests cause): keep serving.
            warnings.warn("{0}: device work failed: {1}", name, ex.toString());
        }
    }

    @Override
    public long doorbells() {
        return doorbells.get();
    }

    @Override
    public void close() {
        stop.write(1);
        Waits.uninterruptibly(thread::join);
        epoll.close();
        stop.close();
    }
}
