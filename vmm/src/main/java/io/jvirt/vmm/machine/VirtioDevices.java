package io.jvirt.vmm.machine;

import io.jvirt.block.BlockDevice;
import io.jvirt.block.Images;
import io.jvirt.sys.Tap;
import io.jvirt.vmm.accel.AccelVm;
import io.jvirt.vmm.arch.x86_64.firmware.FirmwareConfig;
import io.jvirt.vmm.devices.IoBus;
import io.jvirt.vmm.devices.virtio.VirtioConsole;
import io.jvirt.vmm.devices.virtio.VirtioDevice;
import io.jvirt.vmm.devices.virtio.VirtioMmio;
import io.jvirt.vmm.memory.GuestMemory;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The machine's virtio devices: their backends (disk images, TAPs), one virtio-mmio transport
 * each on the MMIO bus, and the firmware entries that announce them. Backends open first
 * ({@link #open}) so bad configuration fails before the VM exists; {@link #close()} releases
 * everything opened, in any state.
 */
final class VirtioDevices implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(VirtioDevices.class.getName());

    /** First transport window: the bottom of the 3 GiB-4 GiB MMIO hole (LAYOUT.md), one 4 KiB page per device. */
    static final long MMIO_BASE = 0xd000_0000L;
    static final long MMIO_STRIDE = 0x1000;
    /** IOAPIC inputs free for virtio: FirmwareConfig.VirtioMmio.RESERVED_GSIS are the legacy devices'. */
    static final List<Integer> GSIS = List.of(5, 10, 11, 12, 16, 17, 18, 19, 20, 21, 22, 23);

    private final List<DeviceSpec> specs;
    private final List<AutoCloseable> backends = new ArrayList<>();
    private final List<VirtioDevice> devices = new ArrayList<>();
    private final List<VirtioWiring> wired = new ArrayList<>();
    private final List<FirmwareConfig.VirtioMmio> firmware = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    private VirtioConsole console;

    private VirtioDevices(List<DeviceSpec> specs) {
        this.specs = specs;
    }

    /**
     * Opens every backend, then (when {@code hvcOutput} is given) a virtio-console writing to it,
     * last so that the disks' windows do not move; on a bad backend closes the others and throws
     * a one-line IllegalArgumentException.
     */
    static VirtioDevices open(List<DeviceSpec> specs, Optional<OutputStream> hvcOutput) {
        int count = specs.size() + (hvcOutput.isPresent() ? 1 : 0);
        if (count > GSIS.size()) {
            throw new IllegalArgumentException(count + " virtio devices (--disk, --rng, --net"
                    + (hvcOutput.isPresent() ? ", the hvc console" : "") + ") but only "
                    + GSIS.size() + " interrupt lines for them; use at most " + GSIS.size());
        }
        VirtioDevices d = new VirtioDevices(List.copyOf(specs));
        try {
            for (int i = 0; i < d.specs.size(); i++) {
                d.devices.add(d.openBackend(d.specs.get(i)));
                d.names.add(d.specs.get(i).toString());
            }
            if (hvcOutput.isPresent()) {
                d.console = VirtioDevice.console(hvcOutput.get());
                d.devices.add(d.console);
                d.names.add("virtio-console");
            }
            for (int i = 0; i < d.devices.size(); i++) {
                d.firmware.add(new FirmwareConfig.VirtioMmio(MMIO_BASE + i * MMIO_STRIDE, VirtioMmio.WINDOW_SIZE, GSIS.get(i)));
            }
            return d;
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
    }

    private VirtioDevice openBackend(DeviceSpec spec) {
        return switch (spec) {
            case DeviceSpec.Rng r -> VirtioDevice.rng();
            case DeviceSpec.Disk disk -> {
                disk.requireFile();
                BlockDevice b;
                try {
                    b = Images.open(disk.path(), disk.format().orElse(null), disk.readOnly());
                } catch (IOException e) {
                    throw new IllegalArgumentException("--disk " + disk.path() + ": cannot open the image (" + e.getMessage()
                            + "); check the file and its format" + (disk.readOnly() ? "" : ", or add readonly=on"), e);
                }
                backends.add(b);
                yield VirtioDevice.blk(b, disk.serial());
            }
            case DeviceSpec.Net net -> {
                Tap tap;
                try {
                    tap = Tap.open(net.nic().tap());
                } catch (IllegalStateException | IllegalArgumentException e) {
                    throw new IllegalArgumentException(tapError(net.nic().tap(), e.getMessage()), e);
                }
                backends.add(tap);
                yield VirtioDevice.net(tap, net.nic().macBytes());
            }
        };
    }

    /** One line naming the TAP, what failed and, when the layer below gave none, the fix. */
    static String tapError(String tap, String message) {
        String m = message.startsWith("--net") ? message : "--net tap=" + tap + ": " + message;
        return m.contains("; ") ? m : m + "; create it with 'ip tuntap add " + tap + " mode tap vnet_hdr user $USER' or run as root";
    }

    /** The virtio-console, when the machine has one. */
    Optional<VirtioConsole> console() {
        return Optional.ofNullable(console);
    }

    /** The firmware entries, in device order. */
    List<FirmwareConfig.VirtioMmio> firmware() {
        return List.copyOf(firmware);
    }

    /**
     * Makes a transport per device with its I/O thread and eventfds ({@link VirtioWiring}) and
     * puts it on the MMIO bus at its window.
     */
    void attach(GuestMemory memory, IoBus mmio, AccelVm vm) {
        for (int i = 0; i < devices.size(); i++) {
            FirmwareConfig.VirtioMmio f = firmware.get(i);
            VirtioWiring w = VirtioWiring.wire(names.get(i), devices.get(i), f, vm.deviceMemory(memory), vm);
            wired.add(w);
            mmio.register(f.base(), f.size(), w.transport());
            LOG.log(Level.DEBUG, "virtio-mmio {0} at 0x{1} GSI {2}", names.get(i), Long.toHexString(f.base()), f.gsi());
        }
    }

    /** Machine reset: every transport back to its reset state. */
    void reset() {
        wired.forEach(w -> w.transport().reset());
    }

    /** Each device's wiring and counters, in device order. */
    List<VirtioStats> stats() {
        return wired.stream().map(VirtioWiring::stats).toList();
    }

    /** Stops the I/O threads and the devices' own, then closes the backends (disks flush). Call before guest RAM is freed. */
    @Override
    public void close() {
        for (VirtioWiring w : wired) {
            w.close(); // no device work from its I/O thread after this
        }
        wired.clear();
        for (VirtioDevice d : devices) {
            try {
                d.close();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "closing a virtio device failed", e);
            }
        }
        for (AutoCloseable b : backends) {
            try {
                b.close();
            } catch (Exception e) {
                LOG.log(Level.ERROR, "closing " + b + " failed: " + e.getMessage(), e);
            }
        }
        devices.clear();
        backends.clear();
    }
}
