package io.jvirt.vmm.devices;

/**
 * Port 0x80, the POST-code / I/O delay port: Linux writes to it for short delays
 * (arch/x86/include/asm/io.h, io_delay). Writes are remembered, reads return the last one.
 */
public final class DebugPort implements BusDevice {

    public static final int PORT = 0x80;

    private volatile int last;

    public void register(IoBus pio) {
        pio.register(PORT, 1, this);
    }

    /** The last value written (a POST code, for tests and diagnostics). */
    public int last() {
        return last;
    }

    @Override
    public long read(long offset, int size) {
        return last;
    }

    @Override
    public void write(long offset, int size, long value) {
        last = (int) (value & 0xff);
    }
}
