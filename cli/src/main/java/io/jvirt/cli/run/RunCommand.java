package io.jvirt.cli.run;

import io.jvirt.sys.SysException;
import io.jvirt.sys.Terminal;
import io.jvirt.vmm.accel.Accelerator;
import io.jvirt.vmm.accel.kvm.KvmAccelerator;
import io.jvirt.vmm.accel.tcg.TcgAccelerator;
import io.jvirt.vmm.boot.BootException;
import io.jvirt.vmm.boot.LinuxBoot;
import io.jvirt.vmm.control.ControlServer;
import io.jvirt.vmm.control.MachineControl;
import io.jvirt.vmm.guest.DefaultGuest;
import io.jvirt.vmm.guest.GuestBuildException;
import io.jvirt.vmm.machine.Console;
import io.jvirt.vmm.machine.ConsoleDevice;
import io.jvirt.vmm.machine.DeviceSpec;
import io.jvirt.vmm.machine.Machine;
import io.jvirt.vmm.machine.MachineConfig;
import io.jvirt.vmm.machine.MachineExit;
import io.jvirt.vmm.memory.GuestRam;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * {@code jvirt run}: one VM in the foreground, qemu-system's role. Exit status: 0 when the guest
 * powers off or the host stops it (Ctrl-], SIGTERM gives the JVM's 143), 1 for bad input,
 * 2 when the guest resets under --no-reboot, 3 when the VM fails.
 */
public final class RunCommand {

    static final Path DEV_KVM = Path.of("/dev/kvm");
    /** How long a SIGTERM waits for the VM's threads before the JVM exits regardless. */
    static final long SHUTDOWN_SECONDS = 5;
    private static final Pattern HW_VIRT = Pattern.compile("^flags\\s*:.*\\b(vmx|svm)\\b", Pattern.MULTILINE);

    private RunCommand() {
    }

    /** The {@code jvirt run} command; the guest's console input is this process's stdin. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, System.in, out, err);
    }

    /** As {@link #run(String[], PrintStream, PrintStream)} with console input from {@code in} (null: none). */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        RunOptions o;
        try {
            o = RunOptions.parse(args);
        } catch (RunOptions.UsageException e) {
            err.println("jvirt: " + e.getMessage());
            return 1;
        }
        if (o.help()) {
            out.println(RunOptions.USAGE);
            return 0;
        }
        configureLogging();
        MachineConfig config;
        Accelerator accel;
        try {
            config = config(o);
            accel = accelerator(o.accel());
        } catch (BootException | IllegalArgumentException e) {
            err.println("jvirt: " + e.getMessage());
            return 1;
        }
        if (o.cpus() > accel.maxVcpus()) {
            err.println("jvirt: --cpus " + o.cpus() + " is more than the " + accel.name() + " accelerator allows (max "
                    + accel.maxVcpus() + "); lower --cpus");
            return 1;
        }
        Console console;
        boolean consoleFileExisted = o.consoleFile().map(Files::exists).orElse(true);
        boolean stdinTerminal = in == System.in && o.consoleFile().isEmpty() && Terminal.isTerminal(0);
        try {
            console = o.consoleFile().isPresent() ? Console.file(o.consoleFile().get())
                    : stdinTerminal ? Console.terminal(in, out, 0) : Console.streams(in, out);
        } catch (IOException e) {
            err.println("jvirt: cannot create console file " + o.consoleFile().get() + " (" + e.getMessage()
                    + "); pick a writable path for --console file:PATH");
            return 1;
        }
        int status = boot(accel, config, console, stdinTerminal, o.control(), err);
        if (status == 1 && !consoleFileExisted) {
            deleteQuietly(o.consoleFile().get()); // bad input: leave no empty console file behind
        }
        return status;
    }

    private static int boot(Accelerator accel, MachineConfig config, Console console, boolean interactive,
                            Optional<Path> controlSocket, PrintStream err) {
        Machine machine;
        try {
            machine = Machine.create(accel, config, console);
        } catch (RuntimeException e) {
            // BootException and IllegalArgumentException carry a one-line message with the fix;
            // others (the accelerator failing to create the VM) carry at least the reason.
            console.close();
            err.println("jvirt: " + withoutPrefix(e.getMessage()));
            return 1;
        } catch (OutOfMemoryError e) {
            console.close();
            err.println("jvirt: " + e.getMessage());
            return 1;
        }
        ControlServer control = null;
        if (controlSocket.isPresent()) {
            try {
                control = MachineControl.serve(controlSocket.get(), machine);
            } catch (IOException | RuntimeException e) {
                machine.close();
                console.close();
                err.println("jvirt: cannot serve --control " + controlSocket.get() + " (" + e.getMessage()
                        + "); pick a path in an existing, writable directory with no socket already there");
                return 1;
            }
        }
        Terminal terminal = interactive ? rawTerminal(err) : null;
        CountDownLatch cleanedUp = new CountDownLatch(1);
        Thread hook = Thread.ofPlatform().unstarted(() -> {
            // SIGTERM: stop the vCPUs and let the main thread clean up; if it cannot finish in
            // time (a vCPU blocked writing to a stalled stdout), restore the terminal anyway.
            machine.stop();
            try {
                cleanedUp.await(SHUTDOWN_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (terminal != null) {
                terminal.close();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        if (terminal != null) {
            err.print("jvirt: " + (config.console() == ConsoleDevice.HVC ? "virtio console (hvc0)" : "serial console")
                    + " on this terminal; Ctrl-] quits, Ctrl-C goes to the guest\r\n");
            err.flush();
        }
        MachineExit exit;
        try {
            machine.start();
            exit = machine.awaitExit();
            if (control != null) {
                MachineControl.reportExit(control, exit);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exit = new MachineExit.Stopped();
        } finally {
            if (control != null) {
                control.close();
            }
            machine.close();
            console.close();
            if (terminal != null) {
                try {
                    terminal.close();
                } catch (SysException e) {
                    err.println("jvirt: could not restore the terminal (" + e.getMessage() + "); run 'stty sane'");
                }
            }
            cleanedUp.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down (SIGTERM): the hook is running
            }
        }
        switch (exit) {
            case MachineExit.ResetRequested r -> err.println("jvirt: the guest reset (" + r.cause()
                    + ") and --no-reboot was given; exit status " + r.status());
            case MachineExit.Failed f -> err.println("jvirt: the VM failed: " + f.detail());
            case MachineExit.PoweredOff p -> { }
            case MachineExit.Stopped s -> { }
        }
        return exit.status();
    }

    /**
     * The VMM's libraries log through System.Logger (java.util.logging by default); in the
     * foreground only warnings reach the terminal, unless JVIRT_LOG names a level (info, debug
     * as FINE, ...) or a logging config file is given.
     */
    private static void configureLogging() {
        if (System.getProperty("java.util.logging.config.file") != null) {
            return;
        }
        String wanted = System.getenv("JVIRT_LOG");
        java.util.logging.Level level = java.util.logging.Level.WARNING;
        if (wanted != null) {
            String w = wanted.trim().toUpperCase(java.util.Locale.ROOT);
            try {
                level = java.util.logging.Level.parse(w.equals("DEBUG") ? "FINE" : w.equals("TRACE") ? "FINEST" : w);
            } catch (IllegalArgumentException e) {
                level = java.util.logging.Level.WARNING;
            }
        }
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.setLevel(level);
        for (java.util.logging.Handler h : root.getHandlers()) {
            h.setLevel(level);
        }
    }

    /** Messages from other layers sometimes already start with "jvirt: ". */
    private static String withoutPrefix(String message) {
        String m = String.valueOf(message);
        return m.startsWith("jvirt: ") ? m.substring("jvirt: ".length()) : m;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // best effort: the file is empty
        }
    }

    /** Checks files and sizes before any accelerator is opened, so bad input is reported first. */
    static MachineConfig config(RunOptions o) {
        GuestRam.check(o.memory(), GuestRam.hostMemTotal());
        for (DeviceSpec d : o.devices()) {
            if (d instanceof DeviceSpec.Disk disk) {
                disk.requireFile(); // before the default guest is built
            }
        }
        Path kernel;
        Optional<Path> initrd = o.initrd();
        if (o.kernel().isPresent()) {
            kernel = o.kernel().get();
        } else {
            DefaultGuest guest = defaultGuest();
            kernel = guest.kernel();
            if (initrd.isEmpty()) {
                initrd = Optional.of(guest.initramfs());
            }
        }
        LinuxBoot.identify(kernel);
        if (initrd.isPresent()) {
            LinuxBoot.requireReadable(initrd.get(), "initrd");
        }
        return new MachineConfig(kernel, initrd, o.cmdline().orElse(o.consoleDevice().defaultCmdline()), o.memory(),
                o.cpus(), o.noReboot(), o.devices(), o.consoleDevice());
    }

    /** kvm, tcg, or auto: kvm when /proc/cpuinfo shows vmx or svm, else tcg. */
    static Accelerator accelerator(String name) {
        return accelerator(name, DEV_KVM);
    }

    /** As {@link #accelerator(String)} with the KVM device at {@code devKvm} (tests). */
    static Accelerator accelerator(String name, Path devKvm) {
        String pick = name.equals("auto") ? (hostHasHardwareVirtualization() ? "kvm" : "tcg") : name;
        if (pick.equals("tcg")) {
            return TcgAccelerator.create();
        }
        if (!Files.exists(devKvm)) {
            throw new IllegalArgumentException("--accel kvm needs " + devKvm + ", which does not exist; load the kvm"
                    + " module (modprobe kvm_intel or kvm_amd) or use --accel tcg");
        }
        if (!Files.isReadable(devKvm) || !Files.isWritable(devKvm)) {
            throw new IllegalArgumentException("--accel kvm needs read/write access to " + devKvm
                    + "; add this user to the kvm group or use --accel tcg");
        }
        try {
            return KvmAccelerator.open();
        } catch (RuntimeException e) {
            // The backend's message is one line with the fix; it may carry our "jvirt: " prefix.
            String m = withoutPrefix(e.getMessage());
            throw new IllegalArgumentException(m.contains(";") ? m : "cannot use the kvm accelerator: " + m
                    + "; use --accel tcg");
        }
    }

    static boolean hostHasHardwareVirtualization() {
        try {
            return HW_VIRT.matcher(Files.readString(Path.of("/proc/cpuinfo"))).find();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The default Linux guest (Debian's cloud kernel + a busybox initramfs), built and cached
     * on first use; a build failure becomes the usual one-line error.
     */
    private static DefaultGuest defaultGuest() {
        try {
            return DefaultGuest.ensure();
        } catch (GuestBuildException e) {
            throw new IllegalArgumentException(e.getMessage()); // "default guest: <step>; <fix>"
        }
    }

    /**
     * Stdin in raw mode, so keys reach the guest at once and Ctrl-] quits without Enter. Ctrl-C
     * goes to the guest (it interrupts the guest's foreground program, as on a real serial
     * line); SIGTERM from elsewhere still stops jvirt. Null when raw mode cannot be set.
     */
    private static Terminal rawTerminal(PrintStream err) {
        try {
            return Terminal.enterRaw(0, false);
        } catch (SysException e) {
            err.println("jvirt: cannot put the terminal in raw mode (" + e.getMessage() + "); input is line-buffered");
            return null;
        }
    }
}
