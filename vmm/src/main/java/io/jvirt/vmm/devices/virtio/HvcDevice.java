package io.jvirt.vmm.devices.virtio;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * {@link VirtioConsole}: device ID 3 offering VIRTIO_CONSOLE_F_SIZE only (so no
 * VIRTIO_CONSOLE_F_MULTIPORT: port 0 only, queue 0 its receiveq, queue 1 its transmitq, §5.3.2). Transmitted bytes are written to
 * the output as they come; host input waits in a bounded buffer until the driver has posted
 * receive buffers, and {@link #inputDone()} notifies queue 0 so that input is delivered under
 * the transport's lock like every other request.
 */
final class HvcDevice implements VirtioConsole {
    private static final System.Logger LOG = System.getLogger(HvcDevice.class.getName());

    /** Console device ID, §5.3.1. */
    static final int DEVICE_ID = 3;
    static final int RECEIVEQ = 0;
    static final int TRANSMITQ = 1;
    static final int QUEUE_SIZE = 256;
    /** VIRTIO_CONSOLE_F_SIZE: cols and rows in the configuration are valid (§5.3.3). */
    static final int F_SIZE = 0;
    /** struct virtio_console_config: le16 cols, le16 rows, le32 max_nr_ports, le32 emerg_wr (§5.3.4). */
    static final int CONFIG_SIZE = 12;
    /** Host input held while the guest posts no receive buffers; the console thread waits beyond it. */
    static final int BUFFER = 4096;
    /** Most bytes of one transmit request copied at once. */
    private static final int CHUNK = 4096;

    private final OutputStream out;
    private final LogLimiter warnings = new LogLimiter(LOG);
    private final byte[] input = new byte[BUFFER];
    private final byte[] txBuf = new byte[CHUNK];
    private int inputStart;
    private int inputCount;
    private boolean outputBroken;
    private int columns;
    private int rows;
    private volatile VirtioMmio transport;

    HvcDevice(OutputStream out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    @Override
    public int deviceId() {
        return DEVICE_ID;
    }

    @Override
    public long features() {
        return 1L << F_SIZE;
    }

    @Override
    public int queueCount() {
        return 2;
    }

    @Override
    public int queueMaxSize() {
        return QUEUE_SIZE;
    }

    @Override
    public int configSize() {
        return CONFIG_SIZE; // max_nr_ports and emerg_wr need features we do not offer: they read as zero
    }

    @Override
    public synchronized long readConfig(int offset, int size) {
        long v = 0;
        for (int i = 0; i < size; i++) {
            int at = offset + i;
            int b = switch (at) {
                case 0 -> columns & 0xff;
                case 1 -> columns >>> 8 & 0xff;
                case 2 -> rows & 0xff;
                case 3 -> rows >>> 8 & 0xff;
                default -> 0;
            };
            v |= (long) b << (8 * i);
        }
        return v;
    }

    /**
     * Linux reads cols/rows only on a configuration change (virtio_console.c config_work_handler),
     * not at probe: a size known before DRIVER_OK is announced with one right away (the driver
     * takes it once its probe has finished, virtio_config_enable).
     */
    @Override
    public void activate(long features) {
        boolean known;
        synchronized (this) {
            known = columns != 0 && rows != 0;
        }
        VirtioMmio t = transport;
        if (known && Virtio.has(features, F_SIZE) && t != null) {
            t.configChanged(); // we are inside the transport's status write, on its lock
        }
    }

    @Override
    public void resize(int columns, int rows) {
        int c = Math.clamp(columns, 0, 0xffff);
        int r = Math.clamp(rows, 0, 0xffff);
        synchronized (this) {
            if (c == this.columns && r == this.rows) {
                return;
            }
            this.columns = c;
            this.rows = r;
        }
        VirtioMmio t = transport;
        if (t != null) {
            t.configChanged(); // outside our lock: the transport's lock comes first
        }
    }

    @Override
    public void attach(VirtioMmio transport) {
        this.transport = transport;
    }

    @Override
    public synchronized boolean receive(byte b) {
        if (inputCount == BUFFER) {
            return false;
        }
        input[(inputStart + inputCount) % BUFFER] = b;
        inputCount++;
        return true;
    }

    @Override
    public void inputDone() {
        VirtioMmio t = transport;
        if (t != null) {
            t.notifyQueue(RECEIVEQ); // not under our lock: the transport's lock comes first
        }
    }

    @Override
    public synchronized int pendingInput() {
        return inputCount;
    }

    @Override
    public void process(int index, VirtioQueue queue) {
        if (index == TRANSMITQ) {
            transmit(queue);
        } else if (index == RECEIVEQ) {
            deliver(queue);
        }
    }

    /** Receive buffers are work only while typed input waits for them. */
    @Override
    public synchronized boolean buffersAreWork(int index) {
        return index != RECEIVEQ || inputCount != 0;
    }

    private void transmit(VirtioQueue queue) {
        boolean wrote = false;
        for (Request r = queue.next(); r != null; r = queue.next()) {
            long length = r.readableLength();
            for (long done = 0; done < length; ) {
                int n = r.readAt(queue.memory(), done, txBuf, 0, (int) Math.min(CHUNK, length - done));
                write(n);
                done += n;
                wrote = true;
            }
            queue.complete(r, 0);
        }
        if (wrote && !outputBroken) {
            try {
                out.flush();
            } catch (IOException e) {
                broken(e);
            }
        }
    }

    private void write(int n) {
        if (outputBroken) {
            return;
        }
        try {
            out.write(txBuf, 0, n);
        } catch (IOException e) {
            broken(e);
        }
    }

    private void broken(IOException e) {
        outputBroken = true; // the console went away; the guest keeps running
        warnings.warn("virtio-console: output failed, dropping further output: {0}", e.getMessage());
    }

    /** Fills the driver's receive buffers with pending input, one buffer per contiguous piece. */
    private void deliver(VirtioQueue queue) {
        while (true) {
            byte[] chunk;
            synchronized (this) {
                if (inputCount == 0) {
                    return;
                }
                chunk = new byte[Math.min(inputCount, BUFFER - inputStart)];
            }
            Request r = queue.next();
            if (r == null) {
                return; // input waits; the driver notifies queue 0 when it posts buffers
            }
            int n;
            synchronized (this) {
                System.arraycopy(input, inputStart, chunk, 0, chunk.length);
                n = r.writeAt(queue.memory(), 0, chunk, 0, chunk.length);
                inputStart = (inputStart + n) % BUFFER;
                inputCount -= n;
            }
            queue.complete(r, n); // a buffer with no writable bytes takes nothing; the loop moves on
        }
    }
}
