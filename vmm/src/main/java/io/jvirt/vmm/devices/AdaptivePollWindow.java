package io.jvirt.vmm.devices;

/** {@link PollWindow}: doubles on a short wait, halves on a long one. */
final class AdaptivePollWindow implements PollWindow {
    private final long max;
    private long window;

    AdaptivePollWindow(long maxNanos) {
        this.max = Math.max(0, maxNanos);
    }

    @Override
    public long nanos() {
        return window;
    }

    @Override
    public void waited(long nanos) {
        if (nanos > max) {
            window /= 2;
        } else if (window < max) {
            window = Math.min(max, Math.max(GROW_START_NANOS, window * 2));
        }
    }
}
