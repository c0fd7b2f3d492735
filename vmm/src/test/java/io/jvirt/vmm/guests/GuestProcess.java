package io.jvirt.vmm.guests;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A VM running as a child process (qemu-system-x86_64 or the jvirt launcher) whose serial
 * console is its stdin/stdout: collects the output, waits for marker lines, types input, and
 * is always killed on {@link #close()}.
 */
public final class GuestProcess implements RunningGuest {

    private final Process process;
    private final StringBuilder output = new StringBuilder();
    private final Thread reader;
    private final List<String> command;

    private GuestProcess(List<String> command) throws IOException {
        this.command = List.copyOf(command);
        this.process = new ProcessBuilder(command).redirectErrorStream(true).start();
        this.reader = Thread.ofPlatform().daemon().name("guest-output").start(this::pump);
    }

    public static GuestProcess start(List<String> command) {
        try {
            return new GuestProcess(command);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + command.getFirst() + ": " + e.getMessage(), e);
        }
    }

    private void pump() {
        byte[] buf = new byte[4096];
        try (InputStream in = process.getInputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (output) {
                    output.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1).replace("\r", ""));
                    output.notifyAll();
                }
            }
        } catch (IOException e) {
            // the process went away; what was read is kept
        } finally {
            synchronized (output) {
                output.notifyAll();
            }
        }
    }

    /** All output so far; carriage returns are dropped as they arrive. */
    @Override
    public String output() {
        synchronized (output) {
            return output.toString();
        }
    }

    /**
     * Waits until {@code marker} appears in the output; false on timeout or if the process
     * ended (and its output drained) without printing it.
     */
    @Override
    public boolean await(String marker, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (output) {
            while (output.indexOf(marker) < 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
                    return false;
                }
                output.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 200)));
            }
            return true;
        }
    }

    /** Types {@code text} on the guest's console. */
    @Override
    public void send(String text) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write(text.getBytes(StandardCharsets.US_ASCII));
        in.flush();
    }

    /** Waits for the process to end; returns its exit status, or -1 (after killing it) on timeout. */
    @Override
    public int exit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            return -1;
        }
        reader.join(5000);
        return process.exitValue();
    }

    /** A description for assertion messages: the command and the output so far. */
    @Override
    public String describe() {
        return String.join(" ", command) + "\n--- output ---\n" + output();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
