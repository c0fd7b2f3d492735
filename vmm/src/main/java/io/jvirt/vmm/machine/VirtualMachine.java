package io.jvirt.vmm.machine;

import io.jvirt.vmm.accel.AccelVm;
import io.jvirt.vmm.accel.Accelerator;
import io.jvirt.vmm.arch.x86_64.firmware.Firmware;
import io.jvirt.vmm.arch.x86_64.firmware.FirmwareConfig;
import io.jvirt.vmm.boot.BootConfig;
import io.jvirt.vmm.boot.LinuxBoot;
import io.jvirt.vmm.boot.LoadedKernel;
import io.jvirt.vmm.devices.CmosRtc;
import io.jvirt.vmm.devices.ConsoleInput;
import io.jvirt.vmm.devices.DebugPort;
import io.jvirt.vmm.devices.I8042;
import io.jvirt.vmm.devices.IoBus;
import io.jvirt.vmm.devices.acpi.AcpiPm;
import io.jvirt.vmm.devices.Serial16550;
import io.jvirt.vmm.devices.Waits;
import io.jvirt.vmm.memory.GuestMemory;
import io.jvirt.vmm.memory.GuestRam;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Optional;

/**
 * The machine: assembles and owns guest RAM, the buses, the accelerator VM and the devices;
 * its run state and threads are {@link RunLoop}'s.
 */
final class VirtualMachine implements Machine {

    private static final System.Logger LOG = System.getLogger(VirtualMachine.class.getName());

    private final MachineConfig config;
    private final Console console;
    private final GuestMemory memory;
    private final AccelVm vm;
    private final Serial16550 serial;
    private final I8042 i8042;
    private final AcpiPm acpiPm;
    private final CmosRtc rtc;
    private final VirtioDevices virtio;

    private final RunLoop run;
    private boolean closed;

    private VirtualMachine(MachineConfig config, Console console, GuestMemory memory, AccelVm vm,
                           IoBus pio, VirtioDevices virtio) {
        this.config = config;
        this.console = console;
        this.memory = memory;
        this.vm = vm;
        this.virtio = virtio;
        this.serial = new Serial16550(vm.irqLine(Serial16550.COM1_GSI), console.output());
        this.i8042 = new I8042(this, vm.irqLine(I8042.KBD_GSI));
        serial.registerCom1(pio);
        i8042.register(pio);
        long low = memory.regions().getFirst().size();
        this.rtc = new CmosRtc(low, memory.ramSize() - low, vm.irqLine(CmosRtc.GSI));
        rtc.register(pio);
        new DebugPort().register(pio);
        this.acpiPm = new AcpiPm(this, vm.irqLine(AcpiPm.SCI_GSI));
        acpiPm.register(pio);
        this.run = new RunLoop(vm, config.noReboot(), this::reboot, serial::flush);
    }

    static VirtualMachine create(Accelerator accel, MachineConfig config, Console console) {
        if (config.cpus() < 1 || config.cpus() > accel.maxVcpus()) {
            throw new IllegalArgumentException("--cpus " + config.cpus() + " is outside what the " + accel.name()
                    + " accelerator allows (1.." + accel.maxVcpus() + "); pick a count in that range");
        }
        VirtioDevices virtio = VirtioDevices.open(config.devices(),
                config.console() == ConsoleDevice.HVC ? Optional.of(console.output()) : Optional.empty());
        GuestMemory memory;
        try {
            memory = GuestRam.allocate(config.memory());
        } catch (RuntimeException | Error e) {
            virtio.close();
            throw e;
        }
        AccelVm vm = null;
        try {
            LoadedKernel kernel = load(memory, config, virtio);
            IoBus pio = IoBus.create("pio");
            IoBus mmio = IoBus.create("mmio");
            vm = accel.createVm(memory, pio, mmio, config.cpus());
            virtio.attach(memory, mmio, vm);
            VirtualMachine m = new VirtualMachine(config, console, memory, vm, pio, virtio);
            vm.reset(kernel.state());
            LOG.log(Level.DEBUG, "{0} loaded at 0x{1}, initrd {2} bytes at 0x{3}, {4} on {5}", kernel.format(),
                    Long.toHexString(kernel.kernelStart()), kernel.initrdSize(), Long.toHexString(kernel.initrdStart()),
                    GuestRam.human(memory.ramSize()), accel.name());
            return m;
        } catch (RuntimeException e) {
            virtio.close();
            if (vm != null) {
                vm.close();
            }
            memory.backing().close();
            throw e;
        }
    }

    /** Firmware tables, then the kernel: the same on first boot and on every reset. */
    private static LoadedKernel load(GuestMemory memory, MachineConfig config, VirtioDevices virtio) {
        long rsdp = Firmware.install(memory, new FirmwareConfig(config.cpus(), virtio.firmware()));
        return LinuxBoot.load(memory, new BootConfig(config.kernel(), config.initrd(), config.cmdline(), rsdp));
    }

    /** On the control thread, every vCPU parked: firmware, kernel and devices back to power-on. */
    private void reboot() {
        LoadedKernel k = load(memory, config, virtio);
        virtio.reset();
        serial.reset();
        i8042.reset();
        acpiPm.reset();
        vm.reset(k.state());
    }

    @Override
    public void start() {
        run.start();
        console.start(virtio.console().map(c -> (ConsoleInput) c).orElse(serial), this::stop);
    }

    @Override
    public RunState state() {
        return run.state();
    }

    @Override
    public void pause() {
        run.pause();
    }

    @Override
    public void resume() {
        run.resume();
    }

    @Override
    public void stop() {
        run.stop();
    }

    @Override
    public void powerOff() {
        run.powerOff();
    }

    @Override
    public void reset() {
        run.requestReset("i8042 or ACPI reset request");
    }

    @Override
    public void pressPowerButton() {
        acpiPm.pressPowerButton();
    }

    @Override
    public int resets() {
        return run.resets();
    }

    @Override
    public List<VirtioStats> virtioStats() {
        return virtio.stats();
    }

    @Override
    public MachineExit awaitExit() throws InterruptedException {
        return run.awaitExit();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        stop();
        // The software CPU reads and writes guest RAM by host address (HostAddresses): RAM is
        // unmapped only after every vCPU thread has ended, even if this thread is interrupted.
        Waits.uninterruptibly(this::awaitExit);
        rtc.close();
        virtio.close(); // net I/O threads stop before guest RAM goes; disks flush
        vm.close();
        memory.backing().close();
    }
}
