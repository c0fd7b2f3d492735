package io.jvirt.vmm.devices.virtio;

import io.jvirt.sys.Epoll;
import io.jvirt.sys.EventFd;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/** {@link VirtioThread}: one epoll loop over doorbell, resample and a stop eventfd. */
final class IoLoop implements VirtioThread {
    private static final System.Logger LOG = System.getLogger(IoLoop.class.getName());
    private static final long DOORBELL = 0;
    private static final long RESAMPLE = 1;
    private static final long STOP = 2;

    private final String name;
    private final VirtioMmio transport;
    private final EventFd doorbell;
    private final Optional<EventFd> resample;
    private final EventFd stop = EventFd.create(true);
    private final Epoll epoll = Epoll.create();
    private final AtomicLong doorbells = new AtomicLong();
    private final LogLimiter warnings = new LogLimiter(LOG);
    private Thread thread;

    private IoLoop(String name, VirtioMmio transport, EventFd doorbell, Optional<EventFd> resample) {
        this.name = name;
        this.transport = transport;
        this.doorbell = doorbell;
        this.resample = resample;
    }

    static IoLoop start(String name, VirtioMmio transport, EventFd doorbell, Optional<EventFd> resample) {
        IoLoop l = new IoLoop(name, transport, doorbell, resample);
        try {
            l.epoll.add(doorbell.fd(), Epoll.IN, DOORBELL);
            resample.ifPresent(r -> l.epoll.add(r.fd(), Epoll.IN, RESAMPLE));
            l.epoll.add(l.stop.fd(), Epoll.IN, STOP);
        } catch (RuntimeException e) {
            l.epoll.close();
            l.stop.close();
            throw e;
        }
        l.thread = Thread.ofPlatform().daemon().name(name).start(l::run);
        return l;
    }

    private void run() {
        while (true) {
            for (Epoll.Event e : epoll.await(4, -1)) {
                if (e.data() == STOP) {
                    return;
                }
                try {
                    if (e.data() == DOORBELL) {
                        doorbell.read(); // non-blocking: resets the count; several rings are one
                        doorbells.incrementAndGet();
                        transport.notifyQueues();
                    } else {
                        resample.orElseThrow().read();
                        transport.resample();
                    }
                } catch (RuntimeException ex) {
                    // A device bug (the transport already contains what guests cause): keep serving.
                    warnings.warn("{0}: device work failed: {1}", name, ex.toString());
                }
            }
        }
    }

    @Override
    public long doorbells() {
        return doorbells.get();
    }

    @Override
    public void close() {
        stop.write(1);
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        epoll.close();
        stop.close();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
