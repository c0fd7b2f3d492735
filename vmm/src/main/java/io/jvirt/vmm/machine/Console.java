package io.jvirt.vmm.machine;

import io.jvirt.vmm.devices.ConsoleInput;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * The guest console's two ends on the host: where the guest's output goes and where its
 * input comes from. Input is fed to the console device (the UART, or the virtio console under
 * {@code --console-device hvc}) by a platform thread; the escape byte Ctrl-]
 * (0x1d, as in telnet and virsh console) asks the machine to stop instead.
 */
public interface Console extends AutoCloseable {

    /** Ctrl-]: quits the VM from the console. */
    int ESCAPE = 0x1d;

    /** The stream the console devices transmit to. */
    OutputStream output();

    /** Starts feeding input (if any) to {@code device}; {@code quit} runs when the escape byte arrives. */
    void start(ConsoleInput device, Runnable quit);

    /** Stops the input thread (joined) and flushes the output; closes it when the console owns it. */
    @Override
    void close();

    /** Guest output to {@code out}, input from {@code in} (null: no input). Neither is closed. */
    static Console streams(InputStream in, OutputStream out) {
        return new StreamConsole(in, out, false);
    }

    /**
     * As {@link #streams}, with {@code in} being terminal {@code fd}: its window size reaches
     * the console device (the virtio console tells the guest; the UART cannot) at start and
     * whenever it changes.
     */
    static Console terminal(InputStream in, OutputStream out, int fd) {
        return new StreamConsole(in, out, false, () -> io.jvirt.sys.Terminal.size(fd));
    }

    /** Guest output to a new file at {@code path} (truncated), no input. */
    static Console file(Path path) throws IOException {
        return new StreamConsole(null, new java.io.FileOutputStream(path.toFile()), true);
    }
}
