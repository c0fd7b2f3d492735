package io.jvirt.vmm.arch.x86_64.firmware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvirt.sys.HostMemory;
import io.jvirt.vmm.memory.GuestMemory;
import io.jvirt.vmm.memory.GuestRam;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interop with a real Linux: Debian's cloud kernel boots under qemu-system-x86_64's microvm
 * machine (its own ACPI off, software CPU) with only our ACPI tables, loaded at 0xE0000 where
 * the kernel's RSDP scan finds them. The kernel must take SMP, IOAPIC and overrides from our
 * MADT, bind COM1/i8042/RTC from our DSDT, find QEMU's virtio-rng through our LNRO0005 entries
 * (the cloud kernel has no virtio_mmio.device= support, so ACPI is its only way) and evaluate
 * \_S5 for power-off, and see the fixed-feature power button (button.ko binds LNXPWRBN). QEMU has no PM block at our 0x600 ports, so the PM timer check fails and
 * the final power-off does not take; both are QEMU's side.
 *
 * <p>Needs qemu-system-x86_64, busybox-static and cpio (scripts/install-deps) and the Debian
 * cloud kernel with its modules under ~/.cache/jvirt-test/kernel/root (or -Djvirt.test.kernelRoot);
 * skips without them. Takes 10-60 s.
 */
class LinuxAcceptsTablesQemuTest {
    /** microvm's virtio-mmio transports: 0xfeb00000 + 512 * i, IRQ 5 + i (QEMU hw/i386/microvm.c). */
    private static final long MICROVM_VIRTIO_BASE = 0xfeb0_0000L;

    @TempDir
    Path dir;

    @Test
    void debianKernelBootsOnOurTables() throws Exception {
        TestLinux linux = TestLinux.find();
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-system-x86_64")), "qemu-system-x86 not installed");

        // Every microvm transport whose IRQ our tables allow (GSIs 8 and 9 belong to the RTC and SCI).
        List<FirmwareConfig.VirtioMmio> virtio = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int gsi = 5 + i;
            if (!FirmwareConfig.VirtioMmio.RESERVED_GSIS.contains(gsi)) {
                virtio.add(new FirmwareConfig.VirtioMmio(MICROVM_VIRTIO_BASE + 0x200L * i, 0x200, gsi));
            }
        }
        GuestMemory memory = GuestRam.allocate(GuestRam.MIN_SIZE);
        try (HostMemory backing = memory.backing()) {
            Firmware.install(memory, new FirmwareConfig(2, virtio));
            // Only the ACPI half: microvm's BIOS ROM occupies 0xF0000-0xFFFFF (and the kernel has no MPPARSE).
            Files.write(dir.resolve("acpi.bin"), memory.read(Firmware.BIOS_AREA, 0x10000));
        }
        Path initrd = linux.initramfs(dir, List.of("drivers/virtio/virtio_ring.ko", "drivers/virtio/virtio.ko",
                "drivers/virtio/virtio_mmio.ko", "drivers/char/hw_random/virtio-rng.ko", "drivers/acpi/button.ko"), List.of(
                "echo \"== hwrng: $(bb cat /sys/class/misc/hw_random/rng_current)\"",
                "echo \"== pnp: $(bb cat /sys/bus/pnp/devices/*/id | bb tr '\\n' ' ')\"",
                "echo \"== acpi: $(bb ls /sys/bus/acpi/devices | bb tr '\\n' ' ')\"",
                "bb poweroff -f"));

        List<String> cmd = List.of("qemu-system-x86_64", "-M",
                "microvm,acpi=off,x-option-roms=off,pit=on,pic=on,rtc=on,isa-serial=on,auto-kernel-cmdline=off",
                "-cpu", "max", "-m", "256M", "-smp", "2", "-nographic", "-nodefaults", "-no-reboot", "-serial", "stdio",
                "-kernel", linux.kernel().toString(), "-initrd", initrd.toString(),
                // no_timer_check: under a loaded host the software CPU can miss the kernel's IRQ0 timing probe.
                "-append", "console=ttyS0 panic=-1 loglevel=7 no_timer_check",
                "-device", "loader,file=" + dir.resolve("acpi.bin") + ",addr=0xe0000,force-raw=on",
                "-device", "virtio-rng-device");
        Process qemu = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> log = new ArrayList<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(qemu.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (log) {
                        log.add(line);
                    }
                    if (line.contains("reboot: Power down") || line.contains("Kernel panic")) {
                        qemu.destroy();
                    }
                }
            } catch (IOException e) {
                // qemu went away
            }
        });
        if (!qemu.waitFor(300, TimeUnit.SECONDS)) {
            qemu.destroyForcibly();
        }
        reader.join(5000);
        String out;
        synchronized (log) {
            out = String.join("\n", log);
        }
        for (String want : List.of(
                "ACPI: RSDP 0x00000000000E0000 000024 (v02 JVIRT )",
                "ACPI: Using ACPI (MADT) for SMP configuration information",
                "ACPI: INT_SRC_OVR (bus 0 bus_irq 0 global_irq 2 dfl dfl)",
                "ACPI: INT_SRC_OVR (bus 0 bus_irq 9 global_irq 9 high level)",
                "ACPI: LAPIC_NMI (acpi_id[0xff] dfl dfl lint[0x1])",
                "IOAPIC[0]: apic_id 0, version 32, address 0xfec00000, GSI 0-23",
                "smp: Brought up 1 node, 2 CPUs",
                "ACPI: 1 ACPI AML tables successfully acquired and loaded",
                "ACPI: PM: (supports S0 S5)",
                "pnp: PnP ACPI: found 3 devices",
                "ttyS0 at I/O 0x3f8 (irq = 4",
                "i8042: PNP: PS/2 Controller [PNP0303:PS2K] at 0x60,0x64 irq 1",
                "== hwrng: virtio_rng.0",
                "== pnp: PNP0501 PNP0303 PNP0b00",
                "ACPI0007:00 ACPI0007:01",
                "LNRO0005:00",
                "input: Power Button as /devices/LNXSYSTM:00/LNXPWRBN:00/input/input",
                "ACPI: PM: Preparing to enter system sleep state S5")) {
            assertTrue(out.contains(want), "expected '" + want + "' in the guest's log:\n" + out);
        }
        List<String> acpiErrors = log.stream()
                .filter(l -> l.contains("ACPI Error") || l.contains("ACPI BIOS") || l.contains("ACPI Warning"))
                .filter(l -> !l.contains("Could not disable RealTimeClock events")) // QEMU: nothing at our PM1_EN
                .toList();
        assertEquals(List.of(), acpiErrors, "ACPI complaints in the guest's log");
    }
}
