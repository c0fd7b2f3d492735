package io.jvirt.vmm.devices.virtio;

import static org.junit.jupiter.api.Assertions.fail;

import io.jvirt.vmm.accel.AccelVm;
import io.jvirt.vmm.accel.Vcpu;
import io.jvirt.vmm.accel.VcpuExit;
import io.jvirt.vmm.accel.tcg.TcgAccelerator;
import io.jvirt.vmm.arch.x86_64.firmware.Firmware;
import io.jvirt.vmm.arch.x86_64.firmware.FirmwareConfig;
import io.jvirt.vmm.boot.BootConfig;
import io.jvirt.vmm.boot.LinuxBoot;
import io.jvirt.vmm.boot.LoadedKernel;
import io.jvirt.vmm.devices.CmosRtc;
import io.jvirt.vmm.devices.IoBus;
import io.jvirt.vmm.devices.PowerControl;
import io.jvirt.vmm.devices.Serial16550;
import io.jvirt.vmm.devices.acpi.AcpiPm;
import io.jvirt.vmm.memory.GuestMemory;
import io.jvirt.vmm.memory.GuestRam;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A small machine put together from the public parts (firmware, boot, tcg, COM1, RTC, ACPI PM,
 * virtio-mmio), for the tests that boot Debian's kernel on the software CPU against our virtio
 * devices without depending on the machine's own wiring. Transport i sits at
 * {@code 0xd0000000 + i * 0x1000} with GSI {@link #GSIS}[i], announced in the DSDT (LNRO0005).
 *
 * <pre>{@code
 * try (TcgLinuxRig rig = TcgLinuxRig.boot(kernel, initrd, 1, logFile)) {
 *     VirtioMmio rng = rig.attach(0, VirtioDevice.rng());
 *     TcgLinuxRig.Outcome o = rig.run(minutes);
 * }
 * }</pre>
 */
final class TcgLinuxRig implements AutoCloseable {
    static final long VIRTIO_BASE = 0xd000_0000L;
    /** GSIs for transports 0..3 (8 and 9 belong to the RTC and the SCI). */
    static final int[] GSIS = {5, 10, 11, 12};

    /** How the run ended: whether the guest powered off (S5) and the console's text. */
    record Outcome(boolean poweredOff, String console) {
        /** The console's last 5000 characters, for assertion messages. */
        String tail() {
            return console.substring(Math.max(0, console.length() - 5000));
        }
    }

    private final GuestMemory memory;
    private final LoadedKernel kernel;
    private final IoBus mmio;
    private final AccelVm vm;
    private final OutputStream log;
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private final CountDownLatch poweredOff = new CountDownLatch(1);

    private TcgLinuxRig(GuestMemory memory, LoadedKernel kernel, IoBus mmio, AccelVm vm, OutputStream log) {
        this.memory = memory;
        this.kernel = kernel;
        this.mmio = mmio;
        this.vm = vm;
        this.log = log;
    }

    /**
     * 256 MiB, one vCPU, {@code transports} virtio-mmio slots in the tables, the kernel and
     * initramfs loaded with {@code console=ttyS0 panic=-1 reboot=k}; the console is copied to
     * {@code logFile}. Aborts the test when the tcg CPU core is not in the build.
     */
    static TcgLinuxRig boot(Path kernelFile, Path initrd, int transports, Path logFile) throws IOException {
        GuestMemory memory = GuestRam.allocate(256L << 20);
        try {
            List<FirmwareConfig.VirtioMmio> slots = new ArrayList<>();
            for (int i = 0; i < transports; i++) {
                slots.add(new FirmwareConfig.VirtioMmio(VIRTIO_BASE + i * VirtioMmio.WINDOW_SIZE, VirtioMmio.WINDOW_SIZE, GSIS[i]));
            }
            long rsdp = Firmware.install(memory, new FirmwareConfig(1, slots));
            LoadedKernel kernel = LinuxBoot.load(memory, new BootConfig(kernelFile, Optional.of(initrd),
                    "console=ttyS0 panic=-1 reboot=k", rsdp));
            IoBus pio = IoBus.create("pio");
            IoBus mmio = IoBus.create("mmio");
            AccelVm vm;
            try {
                vm = TcgAccelerator.create().createVm(memory, pio, mmio, 1);
            } catch (UnsupportedOperationException e) {
                Assumptions.abort("tcg CPU core not in this build: " + e.getMessage());
                throw e;
            }
            Files.createDirectories(logFile.toAbsolutePath().getParent());
            TcgLinuxRig rig = new TcgLinuxRig(memory, kernel, mmio, vm, Files.newOutputStream(logFile));
            rig.platform(pio);
            return rig;
        } catch (IOException | RuntimeException e) {
            memory.backing().close();
            throw e;
        }
    }

    private void platform(IoBus pio) {
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                synchronized (console) {
                    console.write(b);
                }
                log.write(b);
            }
        };
        new Serial16550(vm.irqLine(Serial16550.COM1_GSI), out).registerCom1(pio);
        long low = memory.regions().getFirst().size();
        new CmosRtc(low, memory.ramSize() - low, vm.irqLine(CmosRtc.GSI)).register(pio);
        Vcpu cpu = vm.vcpu(0);
        new AcpiPm(new PowerControl() {
            @Override
            public void powerOff() {
                poweredOff.countDown();
                cpu.kick();
            }

            @Override
            public void reset() {
                fail("the guest reset instead of powering off");
            }
        }, vm.irqLine(AcpiPm.SCI_GSI)).register(pio);
    }

    GuestMemory memory() {
        return memory;
    }

    /** Puts {@code device} on transport {@code slot} and returns the transport. */
    VirtioMmio attach(int slot, VirtioDevice device) {
        VirtioMmio t = VirtioMmio.create(device, memory, vm.irqLine(GSIS[slot]));
        mmio.register(VIRTIO_BASE + slot * VirtioMmio.WINDOW_SIZE, VirtioMmio.WINDOW_SIZE, t);
        return t;
    }

    /** Runs the guest from its entry until it powers off, a vCPU exit other than a kick, or {@code minutes} pass. */
    Outcome run(long minutes) throws InterruptedException {
        vm.reset(kernel.state());
        Vcpu cpu = vm.vcpu(0);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(minutes);
        Thread runner = Thread.ofPlatform().name("vcpu-0").start(() -> {
            while (poweredOff.getCount() > 0 && System.nanoTime() < deadline) {
                VcpuExit e = cpu.run();
                if (!(e instanceof VcpuExit.Kicked)) {
                    synchronized (console) {
                        console.writeBytes(("\n[vcpu exit " + e + "]\n").getBytes(StandardCharsets.UTF_8));
                    }
                    return;
                }
            }
        });
        boolean off = poweredOff.await(minutes, TimeUnit.MINUTES);
        cpu.kick();
        runner.join(10_000);
        synchronized (console) {
            return new Outcome(off, console.toString(StandardCharsets.UTF_8));
        }
    }

    /** Closes the VM, the log and guest RAM (close devices with I/O threads first). */
    @Override
    public void close() throws IOException {
        try (log) {
            vm.close();
        } finally {
            memory.backing().close();
        }
    }
}
