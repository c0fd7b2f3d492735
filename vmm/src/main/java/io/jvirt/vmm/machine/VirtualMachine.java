package io.jvirt.vmm.machine;

import io.jvirt.vmm.accel.AccelVm;
import io.jvirt.vmm.accel.Accelerator;
import io.jvirt.vmm.accel.Vcpu;
import io.jvirt.vmm.accel.VcpuExit;
import io.jvirt.vmm.arch.x86_64.firmware.Firmware;
import io.jvirt.vmm.arch.x86_64.firmware.FirmwareConfig;
import io.jvirt.vmm.boot.BootConfig;
import io.jvirt.vmm.boot.LinuxBoot;
import io.jvirt.vmm.boot.LoadedKernel;
import io.jvirt.vmm.devices.CmosRtc;
import io.jvirt.vmm.devices.DebugPort;
import io.jvirt.vmm.devices.I8042;
import io.jvirt.vmm.devices.IoBus;
import io.jvirt.vmm.devices.acpi.AcpiPm;
import io.jvirt.vmm.devices.Serial16550;
import io.jvirt.vmm.memory.GuestMemory;
import io.jvirt.vmm.memory.GuestRam;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The machine: owns guest RAM, the buses, the accelerator VM and the devices, and runs one
 * platform thread per vCPU plus a control thread that performs resets while every vCPU is
 * parked. All run-state changes happen under {@link #lock}; vCPUs check the state between
 * {@link Vcpu#run()} calls and are kicked out of guest code when it changes.
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

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private RunState state = RunState.CREATED;
    private boolean resetPending;
    private String resetCause = "";
    private int parked;
    private int resets;
    private MachineExit exit;
    private final List<Thread> vcpuThreads = new ArrayList<>();
    private Thread control;
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
    }

    static VirtualMachine create(Accelerator accel, MachineConfig config, Console console) {
        if (config.cpus() < 1 || config.cpus() > accel.maxVcpus()) {
            throw new IllegalArgumentException("--cpus " + config.cpus() + " is outside what the " + accel.name()
                    + " accelerator allows (1.." + accel.maxVcpus() + "); pick a count in that range");
        }
        VirtioDevices virtio = VirtioDevices.open(config.devices());
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

    @Override
    public void start() {
        lock.lock();
        try {
            if (state != RunState.CREATED) {
                throw new IllegalStateException("machine already started (state " + state + ")");
            }
            state = RunState.RUNNING;
            for (int i = 0; i < vm.vcpuCount(); i++) {
                Vcpu v = vm.vcpu(i);
                vcpuThreads.add(Thread.ofPlatform().name("vcpu-" + i).start(() -> vcpuLoop(v)));
            }
            control = Thread.ofPlatform().name("machine-control").start(this::controlLoop);
        } finally {
            lock.unlock();
        }
        console.start(serial, this::stop);
    }

    private void vcpuLoop(Vcpu v) {
        while (true) {
            lock.lock();
            try {
                while (state != RunState.STOPPED && (state == RunState.PAUSED || resetPending)) {
                    parked++;
                    changed.signalAll();
                    changed.awaitUninterruptibly();
                    parked--;
                }
                if (state == RunState.STOPPED) {
                    return;
                }
            } finally {
                lock.unlock();
            }
            VcpuExit e;
            try {
                e = v.run();
            } catch (RuntimeException ex) {
                LOG.log(Level.ERROR, "vcpu " + v.index() + " failed", ex);
                e = new VcpuExit.Failed(ex.toString());
            }
            switch (e) {
                case VcpuExit.Kicked k -> {
                    // Look at the run state again.
                }
                case VcpuExit.TripleFault t -> {
                    LOG.log(Level.WARNING, "vcpu {0}: triple fault ({1}); resetting", v.index(), t.detail());
                    requestReset("triple fault on vcpu " + v.index());
                }
                case VcpuExit.SystemEvent s -> {
                    switch (s.kind()) {
                        case POWER_OFF -> powerOff();
                        case RESET -> requestReset("system reset event");
                        case CRASH -> stopWith(new MachineExit.Failed("the guest reported a crash (vcpu " + v.index() + ")"));
                    }
                }
                case VcpuExit.Failed f -> stopWith(new MachineExit.Failed("vcpu " + v.index() + ": " + f.detail()));
            }
        }
    }

    /** Performs resets while every vCPU is parked; on STOPPED, joins the vCPU threads. */
    private void controlLoop() {
        lock.lock();
        try {
            while (state != RunState.STOPPED) {
                if (!resetPending) {
                    changed.awaitUninterruptibly();
                    continue;
                }
                while (state != RunState.STOPPED && parked < vcpuThreads.size()) {
                    kickAll();
                    changed.await(50, TimeUnit.MILLISECONDS);
                }
                if (state == RunState.STOPPED) {
                    break;
                }
                try {
                    LoadedKernel k = load(memory, config, virtio);
                    virtio.reset();
                    serial.reset();
                    i8042.reset();
                    acpiPm.reset();
                    vm.reset(k.state());
                    resets++;
                    LOG.log(Level.INFO, "machine reset ({0}), reboot #{1}", resetCause, resets);
                } catch (RuntimeException e) {
                    exit = new MachineExit.Failed("reset failed: " + e.getMessage());
                    state = RunState.STOPPED;
                }
                resetPending = false;
                changed.signalAll();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
        kickAll();
        for (Thread t : vcpuThreads) {
            joinUninterruptibly(t);
        }
        serial.flush();
    }

    private void kickAll() {
        for (int i = 0; i < vm.vcpuCount(); i++) {
            vm.vcpu(i).kick();
        }
    }

    private void requestReset(String cause) {
        lock.lock();
        try {
            if (state == RunState.STOPPED) {
                return;
            }
            if (config.noReboot()) {
                stopLocked(new MachineExit.ResetRequested(cause));
                return;
            }
            resetPending = true;
            resetCause = cause;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        kickAll();
    }

    private void stopWith(MachineExit why) {
        lock.lock();
        try {
            stopLocked(why);
        } finally {
            lock.unlock();
        }
        kickAll();
    }

    private void stopLocked(MachineExit why) {
        if (state == RunState.STOPPED) {
            return;
        }
        exit = why;
        state = RunState.STOPPED;
        changed.signalAll();
    }

    @Override
    public RunState state() {
        lock.lock();
        try {
            return state;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void pause() {
        lock.lock();
        try {
            if (state != RunState.RUNNING) {
                return;
            }
            state = RunState.PAUSED;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        kickAll();
        if (vcpuThreads.contains(Thread.currentThread())) {
            return; // a vCPU pausing the machine parks itself on its next loop
        }
        lock.lock();
        try {
            while (state == RunState.PAUSED && parked < vcpuThreads.size()) {
                changed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void resume() {
        lock.lock();
        try {
            if (state == RunState.PAUSED) {
                state = RunState.RUNNING;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void stop() {
        stopWith(new MachineExit.Stopped());
    }

    @Override
    public void powerOff() {
        stopWith(new MachineExit.PoweredOff());
    }

    @Override
    public void reset() {
        requestReset("i8042 or ACPI reset request");
    }

    @Override
    public void pressPowerButton() {
        acpiPm.pressPowerButton();
    }

    @Override
    public int resets() {
        lock.lock();
        try {
            return resets;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public MachineExit awaitExit() throws InterruptedException {
        Thread c;
        lock.lock();
        try {
            while (state != RunState.STOPPED) {
                changed.await();
            }
            c = control;
        } finally {
            lock.unlock();
        }
        if (c != null) {
            c.join();
        }
        return exit;
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
        try {
            awaitExit();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        rtc.close();
        virtio.close(); // net I/O threads stop before guest RAM goes; disks flush
        vm.close();
        memory.backing().close();
    }

    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
