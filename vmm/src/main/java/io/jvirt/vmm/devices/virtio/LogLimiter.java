package io.jvirt.vmm.devices.virtio;

/**
 * Logs guest-caused warnings without letting a guest flood the host log: the first
 * {@link #BURST} messages, then one in every {@link #EVERY} with the running count.
 */
final class LogLimiter {
    static final int BURST = 10;
    static final int EVERY = 1024;
    private final System.Logger log;
    private long count;

    LogLimiter(System.Logger log) {
        this.log = log;
    }

    synchronized void warn(String format, Object... args) {
        long n = count++;
        if (n < BURST || n % EVERY == 0) {
            String msg = java.text.MessageFormat.format(format, args);
            log.log(System.Logger.Level.WARNING, n < BURST ? msg : msg + " (" + (n + 1) + " such warnings so far)");
        }
    }
}
