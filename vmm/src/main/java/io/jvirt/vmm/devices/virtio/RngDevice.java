package io.jvirt.vmm.devices.virtio;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * virtio-rng (virtio 1.2 §5.4): device ID 4, one request queue, no features, no configuration.
 * Each request's writable buffers are filled with bytes from the host entropy source.
 */
final class RngDevice implements VirtioDevice {
    private static final System.Logger LOG = System.getLogger(RngDevice.class.getName());
    /** Entropy source device ID, §5.4.1. */
    static final int DEVICE_ID = 4;
    static final int QUEUE_SIZE = 256;
    /** Most bytes given per request; a driver asking for more gets a short count and asks again. */
    static final int MAX_PER_REQUEST = 64 * 1024;

    private final Path source;
    private InputStream in;

    RngDevice(Path source) {
        this.source = source;
    }

    @Override
    public int deviceId() {
        return DEVICE_ID;
    }

    @Override
    public long features() {
        return 0;
    }

    @Override
    public int queueCount() {
        return 1;
    }

    @Override
    public int queueMaxSize() {
        return QUEUE_SIZE;
    }

    @Override
    public void process(int index, VirtioQueue queue) {
        for (Request r = queue.next(); r != null; r = queue.next()) {
            int n = (int) Math.min(r.writableLength(), MAX_PER_REQUEST);
            byte[] data;
            try {
                data = entropy(n);
            } catch (IOException | UncheckedIOException e) {
                LOG.log(System.Logger.Level.WARNING, "virtio-rng: reading " + source + " failed; returning no bytes", e);
                data = new byte[0];
            }
            queue.complete(r, r.write(queue.memory(), data, 0, data.length));
        }
    }

    private byte[] entropy(int n) throws IOException {
        if (in == null) {
            in = Files.newInputStream(source);
        }
        return in.readNBytes(n);
    }

    @Override
    public void reset() {
        // The entropy stream carries no driver-visible state; keep it open.
    }
}
