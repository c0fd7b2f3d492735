package io.jvirt.vmm.devices.virtio;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jvirt.block.BlockDevice;
import io.jvirt.block.Images;
import io.jvirt.vmm.accel.AccelVm;
import io.jvirt.vmm.accel.Vcpu;
import io.jvirt.vmm.accel.VcpuExit;
import io.jvirt.vmm.accel.tcg.TcgAccelerator;
import io.jvirt.vmm.arch.x86_64.firmware.Firmware;
import io.jvirt.vmm.arch.x86_64.firmware.FirmwareConfig;
import io.jvirt.vmm.arch.x86_64.firmware.TestLinux;
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
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end on jvirt's own parts: Debian's kernel on the software CPU finds our virtio-rng
 * and virtio-blk through the DSDT (LNRO0005), Linux's virtio_mmio driver negotiates with our
 * transport, the hwrng core reads entropy and the block layer reads a qcow2 disk made by
 * qemu-img (and writes one sector, read back with qemu-io) through our split virtqueues, and
 * "poweroff -f" reaches our ACPI PM block as S5. A small machine is put together here from the public parts (firmware, boot,
 * tcg, COM1, RTC, PM, virtio) so the test does not depend on the machine's wiring. Slow
 * (minutes): tagged {@code linux}. The console goes to target/virtio-linux/console.log.
 */
@Tag("linux")
class VirtioLinuxTcgTest {
    private static final long MINUTES = Long.getLong("jvirt.tcg.bootMinutes", 15);
    private static final long VIRTIO_BASE = 0xd000_0000L;
    private static final int VIRTIO_GSI = 5;
    private static final long BLK_BASE = VIRTIO_BASE + VirtioMmio.WINDOW_SIZE;
    private static final int BLK_GSI = 10;
    private static final String DONE = "== done";

    @TempDir
    Path dir;

    @Test
    void linuxUsesOurVirtioRngAndBlkAndPowersOff() throws Exception {
        TestLinux linux = TestLinux.find();
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-img")), "qemu-utils not installed");
        Path img = dir.resolve("disk.qcow2");
        run("qemu-img", "create", "-q", "-f", "qcow2", img.toString(), "8M");
        run("qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 0 4k", img.toString());
        Path initrd = linux.initramfs(dir, List.of("drivers/virtio/virtio_ring.ko", "drivers/virtio/virtio.ko",
                "drivers/virtio/virtio_mmio.ko", "drivers/char/hw_random/virtio-rng.ko", "drivers/block/virtio_blk.ko"),
                List.of(
                "echo \"== hwrng: $(bb cat /sys/class/misc/hw_random/rng_current)\"",
                "bb dd if=/dev/hwrng bs=32 count=4 2>/dev/null | bb hexdump -C",
                "echo \"== virtio: $(bb cat /sys/bus/virtio/devices/*/device | bb tr '\\n' ' ') $(bb grep virtio /proc/interrupts)\"",
                "echo \"== vda: size=$(bb cat /sys/block/vda/size) serial=$(bb cat /sys/block/vda/serial)\"",
                "bb dd if=/dev/vda bs=4096 count=1 2>/dev/null | bb hexdump -C | bb head -3",
                "echo jvirt-was-here | bb dd of=/dev/vda bs=512 seek=16 conv=sync,fsync 2>/dev/null",
                "echo \"" + DONE + "\"",
                "bb poweroff -f"));
        Path logFile = Path.of("target", "virtio-linux", "console.log");
        Files.createDirectories(logFile.getParent());

        GuestMemory memory = GuestRam.allocate(256L << 20);
        FirmwareConfig firmware = new FirmwareConfig(1, List.of(
                new FirmwareConfig.VirtioMmio(VIRTIO_BASE, VirtioMmio.WINDOW_SIZE, VIRTIO_GSI),
                new FirmwareConfig.VirtioMmio(BLK_BASE, VirtioMmio.WINDOW_SIZE, BLK_GSI)));
        long rsdp = Firmware.install(memory, firmware);
        LoadedKernel kernel = LinuxBoot.load(memory, new BootConfig(linux.kernel(), Optional.of(initrd),
                "console=ttyS0 panic=-1 reboot=k", rsdp));
        IoBus pio = IoBus.create("pio");
        IoBus mmio = IoBus.create("mmio");
        AccelVm vm;
        try {
            vm = TcgAccelerator.create().createVm(memory, pio, mmio, 1);
        } catch (UnsupportedOperationException e) {
            Assumptions.abort("tcg CPU core not in this build: " + e.getMessage());
            return;
        }
        CountDownLatch poweredOff = new CountDownLatch(1);
        Vcpu cpu = vm.vcpu(0);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (vm; OutputStream log = Files.newOutputStream(logFile); BlockDevice disk = Images.open(img, "qcow2", false)) {
            OutputStream out = new OutputStream() {
                @Override
                public void write(int b) throws java.io.IOException {
                    synchronized (console) {
                        console.write(b);
                    }
                    log.write(b);
                }
            };
            new Serial16550(vm.irqLine(Serial16550.COM1_GSI), out).registerCom1(pio);
            long low = memory.regions().getFirst().size();
            new CmosRtc(low, memory.ramSize() - low, vm.irqLine(CmosRtc.GSI)).register(pio);
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
            VirtioMmio rng = VirtioMmio.create(VirtioDevice.rng(), memory, vm.irqLine(VIRTIO_GSI));
            mmio.register(VIRTIO_BASE, VirtioMmio.WINDOW_SIZE, rng);
            VirtioMmio blk = VirtioMmio.create(VirtioDevice.blk(disk, "jvirt-e2e"), memory, vm.irqLine(BLK_GSI));
            mmio.register(BLK_BASE, VirtioMmio.WINDOW_SIZE, blk);
            vm.reset(kernel.state());

            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(MINUTES);
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
            boolean off = poweredOff.await(MINUTES, TimeUnit.MINUTES);
            cpu.kick();
            runner.join(10_000);
            String text;
            synchronized (console) {
                text = console.toString(StandardCharsets.UTF_8);
            }
            String tail = text.substring(Math.max(0, text.length() - 5000));
            assertTrue(text.contains(DONE), "the guest never finished its script; console tail:\n" + tail);
            assertTrue(off, "no S5 power-off through the ACPI PM block; console tail:\n" + tail);
            assertTrue(text.contains("== hwrng: virtio_rng.0"), "virtio-rng is the hwrng; console tail:\n" + tail);
            assertTrue(text.contains("00000070  "), "128 bytes read from /dev/hwrng; console tail:\n" + tail);
            assertTrue(text.contains("0x0004") && text.contains("0x0002"), "rng and blk on the virtio bus; console tail:\n" + tail);
            assertTrue(text.contains("virtio0") && text.contains("virtio1"), "both have their interrupts; console tail:\n" + tail);
            assertTrue(text.contains("== vda: size=16384 serial=jvirt-e2e"), "vda's size and serial; console tail:\n" + tail);
            assertTrue(text.contains("00000000  5a 5a 5a 5a"), "vda reads what qemu-io wrote; console tail:\n" + tail);
            assertTrue((blk.status() & Virtio.DEVICE_NEEDS_RESET) == 0, "blk never broke, status " + blk.status());
            // The kernel resets its devices on the way down, so only DEVICE_NEEDS_RESET is telling here.
            assertTrue((rng.status() & Virtio.DEVICE_NEEDS_RESET) == 0, "the device never broke, status " + rng.status());
        } finally {
            memory.backing().close();
        }
        // "jvirt-was-here\n" then the zero padding of conv=sync
        String out = run("qemu-io", "-f", "qcow2", "-c", "read -v 8192 16", img.toString());
        assertTrue(out.contains("6a 76 69 72 74 2d 77 61 73 2d 68 65 72 65 0a 00"), "the guest's write reached the image:\n" + out);
        run("qemu-img", "check", img.toString());
    }

    private static String run(String... cmd) throws java.io.IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd) + " timed out");
        assertTrue(p.exitValue() == 0, String.join(" ", cmd) + ":\n" + out);
        return out;
    }
}
