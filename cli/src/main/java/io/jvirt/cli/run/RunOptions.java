package io.jvirt.cli.run;

import io.jvirt.vmm.machine.ConsoleDevice;
import io.jvirt.vmm.machine.DeviceSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The command line of {@code jvirt run}, parsed and checked for syntax. Values are checked
 * against the host and the kernel later, by {@link RunCommand}.
 */
record RunOptions(Optional<Path> kernel, Optional<Path> initrd, Optional<String> cmdline, long memory, int cpus,
                  Optional<Path> consoleFile, boolean noReboot, String accel, Optional<Path> control,
                  boolean help, List<DeviceSpec> devices, ConsoleDevice consoleDevice) {

    static final long DEFAULT_MEMORY = 256L << 20;

    static final String USAGE = """
            usage: jvirt run [--kernel FILE] [--initrd FILE] [--cmdline STR] [--memory SIZE] [--cpus N]
                             [--console stdio|file:PATH] [--no-reboot] [--accel kvm|tcg|auto]
                             [--control SOCKET] [--disk PATH[,...]]... [--rng] [--net tap=NAME[,...]]...
                             [--console-device serial|hvc]
              --kernel FILE     bzImage or ELF64 vmlinux to boot (default: the default guest)
              --initrd FILE     initramfs loaded at the top of low RAM
              --cmdline STR     kernel command line (default: console=ttyS0 reboot=k panic=1,
                                or console=hvc0 ... with --console-device hvc)
              --memory SIZE     guest RAM, e.g. 256M or 2G (default 256M; a bare number is MiB)
              --cpus N          number of vCPUs (default 1)
              --console TARGET  stdio (default; Ctrl-] quits) or file:PATH for the serial output
              --no-reboot       stop when the guest resets instead of rebooting it (exit status 2)
              --accel NAME      kvm, tcg, or auto (kvm when the CPU has vmx or svm; default)
              --control SOCKET  serve the QMP-style control protocol on this unix socket
                                (vmm/src/main/java/io/jvirt/vmm/control/CONTROL.md)
              --disk PATH[,format=raw|qcow2][,readonly=on][,serial=S]
                                a virtio-blk disk (repeatable; format probed when not given)
              --rng             a virtio-rng entropy source fed from the host's /dev/urandom
              --net tap=NAME[,mac=MAC]
                                a virtio-net card on host TAP NAME (repeatable; needs CAP_NET_ADMIN
                                unless the TAP exists and is yours; default MAC 52:54:00:12:34:56)
              --console-device serial|hvc
                                the guest device on the console: COM1 (ttyS0, default) or a
                                virtio-console (hvc0; the guest needs virtio_console.ko)
            exit status: 0 guest powered off or stopped from the host, 1 bad input,
                         2 guest reset under --no-reboot, 3 the VM failed""";

    /** Thrown for a syntax error; the message is one line, without the "jvirt: " prefix. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    static RunOptions parse(String[] args) throws UsageException {
        Optional<Path> kernel = Optional.empty();
        Optional<Path> initrd = Optional.empty();
        Optional<String> cmdline = Optional.empty();
        long memory = DEFAULT_MEMORY;
        int cpus = 1;
        Optional<Path> consoleFile = Optional.empty();
        boolean noReboot = false;
        String accel = "auto";
        Optional<Path> control = Optional.empty();
        List<DeviceSpec> devices = new ArrayList<>();
        ConsoleDevice consoleDevice = ConsoleDevice.SERIAL;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                value = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            switch (a) {
                case "--help", "-h" -> {
                    return new RunOptions(kernel, initrd, cmdline, memory, cpus, consoleFile, noReboot, accel, control, true,
                            devices, consoleDevice);
                }
                case "--no-reboot", "--rng" -> {
                    if (value != null) {
                        throw new UsageException(a + " takes no value, not '" + value + "'; give " + a + " alone");
                    }
                    if (a.equals("--rng")) {
                        devices.add(new DeviceSpec.Rng());
                    } else {
                        noReboot = true;
                    }
                }
                case "--kernel", "--initrd", "--cmdline", "--memory", "-m", "--cpus", "--smp", "--console", "--accel",
                     "--control", "--disk", "--net", "--console-device" -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new UsageException(a + " needs a value; see 'jvirt run --help'");
                        }
                        value = args[++i];
                    }
                    switch (a) {
                        case "--kernel" -> kernel = Optional.of(Path.of(value));
                        case "--initrd" -> initrd = Optional.of(Path.of(value));
                        case "--cmdline" -> cmdline = Optional.of(value);
                        case "--memory", "-m" -> memory = parseSize(value);
                        case "--cpus", "--smp" -> cpus = parseCpus(value);
                        case "--console" -> consoleFile = parseConsole(value);
                        case "--control" -> control = Optional.of(Path.of(value));
                        case "--disk", "--net" -> devices.add(parseDevice(a, value));
                        case "--console-device" -> consoleDevice = parseConsoleDevice(value);
                        default -> accel = parseAccel(value);
                    }
                }
                default -> throw new UsageException("run: unknown option '" + args[i] + "'; see 'jvirt run --help'");
            }
        }
        return new RunOptions(kernel, initrd, cmdline, memory, cpus, consoleFile, noReboot, accel, control, false,
                List.copyOf(devices), consoleDevice);
    }

    /** "256M", "2G", "512K", "1048576B"; a bare number means MiB, as with qemu -m. */
    static long parseSize(String s) throws UsageException {
        String t = s.trim().toUpperCase(Locale.ROOT);
        if (t.endsWith("IB")) {
            t = t.substring(0, t.length() - 2);
        }
        long unit = 1L << 20;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'B' -> unit = 1;
                case 'K' -> unit = 1L << 10;
                case 'M' -> unit = 1L << 20;
                case 'G' -> unit = 1L << 30;
                case 'T' -> unit = 1L << 40;
                default -> unit = 0;
            }
            if (unit != 0) {
                t = t.substring(0, t.length() - 1);
            } else {
                unit = 1L << 20;
            }
        }
        try {
            long n = Long.parseLong(t);
            if (n <= 0 || n > Long.MAX_VALUE / unit) {
                throw new NumberFormatException();
            }
            return n * unit;
        } catch (NumberFormatException e) {
            throw new UsageException("--memory '" + s + "' is not a size; use a number with K, M or G, e.g. --memory 256M");
        }
    }

    private static int parseCpus(String s) throws UsageException {
        try {
            int n = Integer.parseInt(s.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new UsageException("--cpus '" + s + "' is not a positive number; use e.g. --cpus 2");
    }

    private static Optional<Path> parseConsole(String s) throws UsageException {
        if (s.equals("stdio")) {
            return Optional.empty();
        }
        if (s.startsWith("file:") && s.length() > 5) {
            return Optional.of(Path.of(s.substring(5)));
        }
        throw new UsageException("--console '" + s + "' is not a console; use stdio or file:PATH");
    }

    private static DeviceSpec parseDevice(String option, String value) throws UsageException {
        try {
            return option.equals("--disk") ? DeviceSpec.Disk.parse(value) : DeviceSpec.Net.parse(value);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static ConsoleDevice parseConsoleDevice(String s) throws UsageException {
        try {
            return ConsoleDevice.parse(s);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static String parseAccel(String s) throws UsageException {
        return switch (s) {
            case "kvm", "tcg", "auto" -> s;
            default -> throw new UsageException("--accel '" + s + "' is not an accelerator; use kvm, tcg or auto");
        };
    }
}
