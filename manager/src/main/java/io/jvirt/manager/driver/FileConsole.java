package io.jvirt.manager.driver;

import io.jvirt.manager.ConsoleSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.BooleanSupplier;

/**
 * A supervised VMM's serial console as the daemon sees it: the VMM writes guest output to a
 * file (its stdout) and reads input from a FIFO (its stdin). Output is followed like
 * {@code tail -f}, starting {@link #REPLAY} bytes before the end so a new session sees the
 * prompt; it ends when the domain stops, and starts over when a reboot's new VMM truncates
 * the file. Input goes to the FIFO, opened read-write (so the open never blocks, fifo(7)) for
 * each write, so a reboot's new FIFO gets it.
 */
final class FileConsole implements ConsoleSession {

    /** How much earlier output a new session is shown. */
    static final int REPLAY = 4096;
    private static final long POLL_MS = 50;

    private final FileChannel output;
    private final Path input;
    private final BooleanSupplier running;
    private volatile boolean closed;

    FileConsole(Path outputFile, Path inputFifo, BooleanSupplier running) throws IOException {
        this.output = FileChannel.open(outputFile, StandardOpenOption.READ);
        this.input = inputFifo;
        this.running = running;
        output.position(Math.max(0, output.size() - REPLAY));
    }

    @Override
    public InputStream fromGuest() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] b = new byte[1];
                return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                while (!closed) {
                    if (output.size() < output.position()) {
                        output.position(0); // a new VMM (reboot) started the file over
                    }
                    int n = output.read(ByteBuffer.wrap(b, off, len));
                    if (n > 0) {
                        return n;
                    }
                    if (!running.getAsBoolean()) {
                        n = output.read(ByteBuffer.wrap(b, off, len)); // what it wrote before stopping
                        return n > 0 ? n : -1;
                    }
                    try {
                        Thread.sleep(POLL_MS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("console read interrupted");
                    }
                }
                return -1;
            }
        };
    }

    @Override
    public OutputStream toGuest() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                try (FileChannel ch = FileChannel.open(input, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                    ByteBuffer buf = ByteBuffer.wrap(b, off, len);
                    while (buf.hasRemaining()) {
                        ch.write(buf);
                    }
                }
            }
        };
    }

    @Override
    public void close() throws IOException {
        closed = true;
        output.close();
    }
}
