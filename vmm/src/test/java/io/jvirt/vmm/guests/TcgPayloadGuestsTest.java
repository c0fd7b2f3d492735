package io.jvirt.vmm.guests;

import io.jvirt.vmm.accel.tcg.TcgAccelerator;
import io.jvirt.vmm.machine.MachineExit;

/**
 * The payload guests under jvirt's software CPU ({@code jvirt run --accel tcg --no-reboot}, in
 * process): the same expectations as on KVM, with the Java LAPIC/IOAPIC/PIC instead of the
 * kernel's. Needs nothing from the host.
 */
class TcgPayloadGuestsTest extends PayloadGuestScenarios {

    @Override
    RunningGuest boot(String name, String cmdline, int cpus) throws Exception {
        return new JvirtGuest(TcgAccelerator.create(), PayloadGuests.elf(name), cmdline, cpus);
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
