package io.jvirt.vmm.machine;

import java.util.Locale;

/**
 * Which guest device the host console ({@link Console}) is wired to, {@code jvirt run
 * --console-device}. The UART's output reaches the console in both cases, so early messages
 * (earlyprintk=ttyS0) stay visible; only the chosen device gets the console's input.
 */
public enum ConsoleDevice {
    /** COM1, a 16550A: ttyS0 in Linux (the default). */
    SERIAL("console=ttyS0"),
    /** A virtio-console (virtio 1.2 §5.3) with one port: hvc0 in Linux (needs virtio_console.ko). */
    HVC("console=hvc0");

    private final String kernelConsole;

    ConsoleDevice(String kernelConsole) {
        this.kernelConsole = kernelConsole;
    }

    /** The kernel command line used when none is given. */
    public String defaultCmdline() {
        return kernelConsole + " reboot=k panic=1";
    }

    /** "serial" or "hvc"; a one-line IllegalArgumentException naming the value otherwise. */
    public static ConsoleDevice parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "serial" -> SERIAL;
            case "hvc" -> HVC;
            default -> throw new IllegalArgumentException("--console-device '" + name
                    + "' is not a console device; use hvc or serial");
        };
    }
}
