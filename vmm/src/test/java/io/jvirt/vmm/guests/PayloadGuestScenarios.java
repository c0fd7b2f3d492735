package io.jvirt.vmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every payload guest must print and how its VMM must end, whichever VMM runs it. The
 * subclasses supply the VMM: QEMU TCG (validating the guests) and jvirt (validating jvirt).
 */
@Timeout(120)
abstract class PayloadGuestScenarios {

    static final Duration RUN = Duration.ofSeconds(60);
    private static final Pattern S5 = Pattern.compile("POWEROFF: ACPI S5 via PM1a_CNT=0x[0-9a-f]+ SLP_TYP=[0-7]\n");

    /** Boots payload guest {@code name} with {@code cpus} vCPUs. */
    abstract RunningGuest boot(String name, String cmdline, int cpus) throws Exception;

    /** How the runtime says it was entered: "boot64" (jvirt) or "pvh32" (QEMU -kernel). */
    abstract String entry();

    /** The VMM's exit status when the guest resets (triple fault) and must not reboot. */
    abstract int resetStatus();

    private static void assertPoweredOffByS5(RunningGuest vm, int status) {
        assertEquals(0, status, vm.describe());
        assertTrue(S5.matcher(vm.output()).find(), vm.describe());
        assertFalse(vm.output().contains("i8042"), "S5 alone must stop the machine:\n" + vm.describe());
        assertFalse(vm.output().contains("UNEXPECTED-INTERRUPT"), vm.describe());
        assertFalse(vm.output().contains("EXCEPTION"), vm.describe());
    }

    @Test
    void helloPrintsTheCommandLineAndTheE820Map() throws Exception {
        try (RunningGuest vm = boot("hello", "jvirt-test hello=world", 1)) {
            int status = vm.exit(RUN);
            String out = vm.output();
            assertTrue(out.contains("JVIRT-GUEST-START entry=" + entry() + " boot_params=0x7000"), vm.describe());
            assertTrue(out.contains("HELLO: cmdline='jvirt-test hello=world'"), vm.describe());
            assertTrue(out.contains("HELLO: e820 0x0000000000000000-0x000000000009fbff usable"), vm.describe());
            assertTrue(out.contains("HELLO: e820 0x0000000000100000-"), vm.describe());
            Matcher ram = Pattern.compile("HELLO: usable-ram-kib=(\\d+)").matcher(out);
            assertTrue(ram.find(), vm.describe());
            long kib = Long.parseLong(ram.group(1));
            assertTrue(kib > 200 * 1024 && kib <= 256 * 1024, "usable RAM of a 256 MiB guest: " + kib + " KiB");
            assertTrue(out.contains("HELLO-OK"), vm.describe());
            assertPoweredOffByS5(vm, status);
        }
    }

    @Test
    void irqTakesTheUartThreAndReceiveInterruptsThroughTheIoapic() throws Exception {
        try (RunningGuest vm = boot("irq", "", 1)) {
            assertTrue(vm.await("IRQ-WAIT-RX", RUN), vm.describe());
            vm.send("q");
            int status = vm.exit(RUN);
            String out = vm.output();
            assertTrue(out.contains("GSI 4 -> vector 0x24 on APIC 0"), vm.describe());
            assertTrue(out.contains("IRQ-HANDLER: THRE interrupt on vector 0x24"), vm.describe());
            assertTrue(out.contains("IRQ-HANDLER: RX interrupt on vector 0x24 char='q'"), vm.describe());
            assertTrue(out.contains("IRQ-OK thre=1 rx=1 char='q'"), vm.describe());
            assertPoweredOffByS5(vm, status);
        }
    }

    @Test
    void smpStartsTheSecondCpuWithInitSipiSipi() throws Exception {
        try (RunningGuest vm = boot("smp", "", 2)) {
            int status = vm.exit(RUN);
            String out = vm.output();
            assertTrue(out.contains("SMP: BSP apic_id=0; madt yes cpus=2; starting AP apic_id=1"), vm.describe());
            assertTrue(out.contains("SMP: AP online apic_id=1"), vm.describe());
            assertTrue(out.contains("SMP-OK cpus=2"), vm.describe());
            assertPoweredOffByS5(vm, status);
        }
    }

    @Test
    void smpReportsAMissingSecondCpu() throws Exception {
        try (RunningGuest vm = boot("smp", "", 1)) {
            int status = vm.exit(RUN);
            assertTrue(vm.output().contains("madt yes cpus=1"), vm.describe());
            assertTrue(vm.output().contains("SMP-FAIL: AP apic_id=1 did not come up"), vm.describe());
            assertPoweredOffByS5(vm, status);
        }
    }

    @Test
    void poweroffFindsTheFadtThroughBootParamsAndEntersS5() throws Exception {
        try (RunningGuest vm = boot("poweroff", "", 1)) {
            int status = vm.exit(RUN);
            String out = vm.output();
            assertTrue(out.matches("(?s).*boot_params\\.acpi_rsdp_addr=0x([1-9a-f][0-9a-f]*) rsdp=0x\\1 fadt=0x.*"),
                    vm.describe());
            assertTrue(out.contains("POWEROFF-GUEST: FADT revision"), vm.describe());
            assertPoweredOffByS5(vm, status);
        }
    }

    @Test
    void tripleFaultResetsTheMachine() throws Exception {
        try (RunningGuest vm = boot("triplefault", "", 1)) {
            int status = vm.exit(RUN);
            String out = vm.output();
            assertTrue(out.contains("TRIPLE-FAULT-GUEST: loading an empty IDT"), vm.describe());
            assertFalse(out.contains("TRIPLE-FAULT-FAILED"), vm.describe());
            assertFalse(out.contains("POWEROFF"), vm.describe());
            assertEquals(resetStatus(), status, vm.describe());
        }
    }
}
