package io.jvirt.vmm.guests;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** An in-memory serial console output that can be waited on for a marker. */
final class Transcript extends OutputStream {

    private final StringBuilder text = new StringBuilder();
    private volatile boolean ended;

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        synchronized (text) {
            text.append(new String(b, off, len, StandardCharsets.ISO_8859_1).replace("\r", ""));
            text.notifyAll();
        }
    }

    /** No more output will come: wake waiters. */
    void end() {
        ended = true;
        synchronized (text) {
            text.notifyAll();
        }
    }

    String text() {
        synchronized (text) {
            return text.toString();
        }
    }

    boolean await(String marker, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        synchronized (text) {
            while (text.indexOf(marker) < 0) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0 || ended) {
                    return false;
                }
                text.wait(Math.min(left, 200));
            }
            return true;
        }
    }
}
