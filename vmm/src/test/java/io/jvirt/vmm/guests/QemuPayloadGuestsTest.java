package io.jvirt.vmm.guests;

import org.junit.jupiter.api.BeforeAll;

/**
 * Validates the payload guests themselves on the reference peer, QEMU with the software CPU,
 * entered through their PVH note: if these pass and the same guest fails under jvirt, the bug
 * is in jvirt. Skips where qemu-system-x86_64 is missing.
 */
class QemuPayloadGuestsTest extends PayloadGuestScenarios {

    @BeforeAll
    static void qemu() throws Exception {
        Qemu.requireOrSkip();
    }

    @Override
    RunningGuest boot(String name, String cmdline, int cpus) {
        return GuestProcess.start(Qemu.command(PayloadGuests.elf(name), cmdline.isEmpty() ? null : cmdline, cpus));
    }

    @Override
    String entry() {
        return "pvh32";
    }

    @Override
    int resetStatus() {
        return 0; // -no-reboot: QEMU exits normally at the reset
    }
}
