package io.jvirt.vmm.machine;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One VM as {@code jvirt run} describes it.
 *
 * @param memory   guest RAM in bytes
 * @param noReboot a guest reset stops the machine ({@link MachineExit.ResetRequested}) instead
 *                 of rebooting it
 * @param devices  virtio devices, each on its own virtio-mmio transport, in this order
 * @param console  the device the host console is wired to; {@link ConsoleDevice#HVC} adds a
 *                 virtio-console after {@code devices}
 */
public record MachineConfig(Path kernel, Optional<Path> initrd, String cmdline, long memory, int cpus,
                            boolean noReboot, List<DeviceSpec> devices, ConsoleDevice console) {

    /** The kernel command line used when none is given: the serial console on COM1. */
    public static final String DEFAULT_CMDLINE = "console=ttyS0 reboot=k panic=1";

    public MachineConfig {
        devices = List.copyOf(devices);
        java.util.Objects.requireNonNull(console, "console");
    }

    /** A machine with its console on the serial port. */
    public MachineConfig(Path kernel, Optional<Path> initrd, String cmdline, long memory, int cpus, boolean noReboot,
                         List<DeviceSpec> devices) {
        this(kernel, initrd, cmdline, memory, cpus, noReboot, devices, ConsoleDevice.SERIAL);
    }

    /** A machine without virtio devices. */
    public MachineConfig(Path kernel, Optional<Path> initrd, String cmdline, long memory, int cpus, boolean noReboot) {
        this(kernel, initrd, cmdline, memory, cpus, noReboot, List.of());
    }
}
