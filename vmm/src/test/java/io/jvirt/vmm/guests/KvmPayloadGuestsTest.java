package io.jvirt.vmm.guests;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvirt.vmm.accel.kvm.KvmAccelerator;
import io.jvirt.vmm.machine.MachineExit;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;

/**
 * The payload guests under jvirt on this machine's /dev/kvm ({@code jvirt run --accel kvm
 * --no-reboot}, in process): the 64-bit boot protocol, COM1 with interrupts through the
 * in-kernel IOAPIC and LAPIC, INIT-SIPI-SIPI, the firmware's ACPI tables and PM block, and
 * triple-fault handling. Skips where /dev/kvm is absent or cannot be opened.
 */
class KvmPayloadGuestsTest extends PayloadGuestScenarios {

    private static KvmAccelerator kvm;

    @BeforeAll
    static void kvm() {
        assumeTrue(Files.exists(Path.of("/dev/kvm")), "needs /dev/kvm");
        try {
            kvm = KvmAccelerator.open();
        } catch (RuntimeException e) {
            assumeTrue(false, "/dev/kvm cannot be used: " + e.getMessage());
        }
    }

    @Override
    RunningGuest boot(String name, String cmdline, int cpus) throws Exception {
        return new JvirtGuest(kvm, PayloadGuests.elf(name), cmdline, cpus);
    }

    @Override
    String entry() {
        return "boot64";
    }

    @Override
    int resetStatus() {
        return MachineExit.ResetRequested.STATUS;
    }
}
