package io.jvirt.vmm.machine;

import io.jvirt.sys.Terminal;
import io.jvirt.vmm.devices.ConsoleInput;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@link Console} over plain streams. The input thread polls {@link InputStream#available()}
 * instead of blocking in read(), so that it can be stopped and joined: a read blocked on a
 * terminal cannot be interrupted from Java.
 */
final class StreamConsole implements Console {

    private static final System.Logger LOG = System.getLogger(StreamConsole.class.getName());
    private static final long POLL_MILLIS = 10;
    /** The window size is looked at every this many polls (half a second). */
    private static final int SIZE_EVERY = 50;

    private final InputStream in;
    private final OutputStream out;
    private final boolean ownsOutput;
    /** The host terminal's size, or null when the input is no terminal. */
    private final Supplier<Optional<Terminal.Size>> size;
    private volatile boolean closed;
    private Thread thread;

    StreamConsole(InputStream in, OutputStream out, boolean ownsOutput) {
        this(in, out, ownsOutput, null);
    }

    StreamConsole(InputStream in, OutputStream out, boolean ownsOutput, Supplier<Optional<Terminal.Size>> size) {
        this.in = in;
        this.out = out;
        this.ownsOutput = ownsOutput;
        this.size = size;
    }

    @Override
    public OutputStream output() {
        return out;
    }

    @Override
    public synchronized void start(ConsoleInput device, Runnable quit) {
        if (in == null || thread != null) {
            return;
        }
        thread = Thread.ofPlatform().name("console-input").daemon(true).start(() -> pump(device, quit));
    }

    private void pump(ConsoleInput device, Runnable quit) {
        byte[] buf = new byte[256];
        int polls = 0;
        try {
            while (!closed) {
                if (size != null && polls++ % SIZE_EVERY == 0) {
                    size.get().ifPresent(s -> device.resize(s.columns(), s.rows()));
                }
                int n = in.available();
                if (n <= 0) {
                    Thread.sleep(POLL_MILLIS);
                    continue;
                }
                n = in.read(buf, 0, Math.min(n, buf.length));
                if (n < 0) {
                    return; // end of input: the guest just gets no more bytes
                }
                for (int i = 0; i < n && !closed; i++) {
                    if ((buf[i] & 0xff) == ESCAPE) {
                        device.inputDone();
                        quit.run();
                        return;
                    }
                    while (!device.receive(buf[i])) {
                        if (closed) {
                            return;
                        }
                        device.inputDone();
                        Thread.sleep(1); // the device is full: wait for the guest to drain it
                    }
                }
                device.inputDone();
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "console input failed, no more input for the guest: {0}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            out.flush();
            if (ownsOutput) {
                out.close();
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "console output: {0}", e.getMessage());
        }
    }
}
