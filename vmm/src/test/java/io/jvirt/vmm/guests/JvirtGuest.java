package io.jvirt.vmm.guests;

import io.jvirt.vmm.accel.Accelerator;
import io.jvirt.vmm.machine.Console;
import io.jvirt.vmm.machine.Machine;
import io.jvirt.vmm.machine.MachineConfig;
import io.jvirt.vmm.machine.MachineExit;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A guest run by jvirt in this JVM: the same {@link Machine} {@code jvirt run} assembles (the
 * cli only parses options around it), with the console on in-memory streams. The exit status
 * is {@code jvirt run}'s: {@link MachineExit#status()}.
 */
public final class JvirtGuest implements RunningGuest {

    private final Machine machine;
    private final Console console;
    private final Transcript out = new Transcript();
    private final PipedOutputStream keyboard = new PipedOutputStream();
    private final CompletableFuture<MachineExit> exit;
    private final String what;

    public JvirtGuest(Accelerator accel, Path kernel, String cmdline, int cpus) throws IOException {
        this(accel, kernel, Optional.empty(), cmdline, cpus);
    }

    public JvirtGuest(Accelerator accel, Path kernel, Optional<Path> initrd, String cmdline, int cpus)
            throws IOException {
        this(accel, new MachineConfig(kernel, initrd, cmdline, 256L << 20, cpus, true));
    }

    /** A machine as {@code config} describes it (devices, console device) on {@code accel}. */
    public JvirtGuest(Accelerator accel, MachineConfig config) throws IOException {
        this(accel, config, Console::streams);
    }

    /** As {@link #JvirtGuest(Accelerator, MachineConfig)} with the console made by {@code console} over our streams. */
    public JvirtGuest(Accelerator accel, MachineConfig config,
                      java.util.function.BiFunction<java.io.InputStream, java.io.OutputStream, Console> console)
            throws IOException {
        PipedInputStream in = new PipedInputStream(keyboard, 4096);
        this.what = "jvirt run --accel " + accel.name() + " --kernel " + config.kernel()
                + config.initrd().map(p -> " --initrd " + p).orElse("") + " --cpus " + config.cpus()
                + (config.noReboot() ? " --no-reboot" : "") + " --console-device " + config.console().name().toLowerCase()
                + " --cmdline '" + config.cmdline() + "' devices " + config.devices();
        this.console = console.apply(in, out);
        this.machine = Machine.create(accel, config, this.console);
        machine.start();
        this.exit = CompletableFuture.supplyAsync(() -> {
            try {
                return machine.awaitExit();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new MachineExit.Failed("interrupted");
            } finally {
                out.end();
            }
        }, r -> Thread.ofPlatform().daemon().name("await-exit").start(r));
    }

    @Override
    public String output() {
        return out.text();
    }

    @Override
    public boolean await(String marker, Duration timeout) throws InterruptedException {
        return out.await(marker, timeout.toMillis());
    }

    @Override
    public void send(String text) throws IOException {
        keyboard.write(text.getBytes(StandardCharsets.US_ASCII));
        keyboard.flush();
    }

    /** The machine itself, for its counters ({@link Machine#virtioStats()}). */
    public Machine machine() {
        return machine;
    }

    /** The exit itself, for assertions on its kind and detail. */
    public MachineExit exitReason(Duration timeout) throws InterruptedException {
        try {
            return exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            machine.stop();
            return null;
        } catch (ExecutionException e) {
            throw new IllegalStateException("awaiting the machine failed", e.getCause());
        }
    }

    @Override
    public int exit(Duration timeout) throws InterruptedException {
        MachineExit e = exitReason(timeout);
        return e == null ? -1 : e.status();
    }

    @Override
    public String describe() {
        MachineExit e = exit.getNow(null);
        return what + (e == null ? "" : "\n--- exit: " + e) + "\n--- output ---\n" + output();
    }

    @Override
    public void close() {
        machine.close();
        console.close();
        try {
            keyboard.close();
        } catch (IOException e) {
            // nothing to flush
        }
    }
}
