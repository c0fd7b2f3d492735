package io.jvirt.vmm.arch.x86_64.firmware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvirt.sys.HostMemory;
import io.jvirt.vmm.memory.GuestMemory;
import io.jvirt.vmm.memory.GuestRam;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Validates the generated tables with ACPICA's own disassembler (Debian's acpica-tools, installed
 * by scripts/install-deps): every table dumped from guest memory must disassemble with
 * {@code iasl -d} without errors or warnings, and the disassembly must say what we meant.
 */
class IaslTest {
    private static final Pattern PROBLEM = Pattern.compile("(?i)\\b(error|warning|invalid|incorrect|unknown)\\b");

    @TempDir
    Path dir;

    @BeforeAll
    static void needIasl() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/iasl")),
                "iasl not installed; run scripts/install-deps (Debian package acpica-tools)");
    }

    @ParameterizedTest(name = "{0} CPUs")
    @ValueSource(ints = {1, 2, 8})
    void tablesDisassembleCleanly(int cpus) throws Exception {
        FirmwareConfig config = new FirmwareConfig(cpus, List.of(
                new FirmwareConfig.VirtioMmio(0xd000_0000L, 0x1000, 5),
                new FirmwareConfig.VirtioMmio(0xd000_1000L, 0x1000, 10)));
        Map<String, String> dsl;
        GuestMemory memory = GuestRam.allocate(GuestRam.MIN_SIZE);
        try (HostMemory backing = memory.backing()) {
            GuestTables t = new GuestTables(memory, Firmware.install(memory, config));
            Files.write(dir.resolve("rsdp.dat"), t.rsdp);
            for (Map.Entry<String, byte[]> e : t.tables.entrySet()) {
                Files.write(dir.resolve(e.getKey().toLowerCase() + ".dat"), e.getValue());
            }
            // The RSDP is checked by GuestTables: iasl 20200925 rejects a binary RSDP file
            // ("does not contain a valid ACPI table") since "RSD " is not a valid table name.
            dsl = new java.util.TreeMap<>();
            for (String name : List.of("xsdt", "facp", "facs", "apic", "dsdt")) {
                dsl.put(name, disassemble(name));
            }
        }

        recompileDsdt();
        evaluateWithAcpiexec();

        String fadt = dsl.get("facp");
        assertContains(fadt, "Signature : \"FACP\"");
        assertContains(fadt, "Revision : 06");
        assertContains(fadt, "FADT Minor Revision : 05");
        assertContains(fadt, "SCI Interrupt : 0009");
        assertContains(fadt, "PM1A Event Block Address : 00000600");
        assertContains(fadt, "PM1A Control Block Address : 00000604");
        assertContains(fadt, "PM Timer Block Address : 00000608");
        assertContains(fadt, "RTC Century Index : 32");
        assertContains(fadt, "Legacy Devices Supported (V2) : 1");
        assertContains(fadt, "8042 Present on ports 60/64 (V2) : 1");
        assertContains(fadt, "VGA Not Present (V4) : 1");
        assertContains(fadt, "32-bit PM Timer (V1) : 1");
        assertContains(fadt, "Reset Register Supported (V2) : 1");
        assertContains(fadt, "Control Method Power Button (V1) : 0");
        assertContains(fadt, "Hardware Reduced (V5) : 0");
        assertContains(fadt, "Value to cause reset : 06");
        assertContains(fadt, "Address : 000000000000060C");

        String madt = dsl.get("apic");
        for (int cpu = 0; cpu < cpus; cpu++) {
            assertContains(madt, String.format("Processor ID : %02X", cpu));
            assertContains(madt, String.format("Local Apic ID : %02X", cpu));
        }
        assertEquals(cpus, count(madt, "Subtable Type : 00 [Processor Local APIC]"));
        assertContains(madt, "Subtable Type : 01 [I/O APIC]");
        assertContains(madt, "Address : FEC00000");
        assertContains(madt, "Interrupt : 00000000"); // GSI base
        assertEquals(2, count(madt, "Subtable Type : 02 [Interrupt Source Override]"));
        assertContains(madt, "Interrupt : 00000002");
        assertContains(madt, "Source : 09");
        assertContains(madt, "Trigger Mode : 3");
        assertContains(madt, "Subtable Type : 04 [Local APIC NMI]");
        assertContains(madt, "Interrupt Input LINT : 01");

        String dsdt = dsl.get("dsdt");
        assertContains(dsdt, "Name (\\_S5, Package (0x04)");
        assertContains(dsdt, "0x07,");
        assertContains(dsdt, "EisaId (\"PNP0501\")");
        assertContains(dsdt, "IO (Decode16,\n0x03F8,\n0x03F8,\n0x01,\n0x08,");
        assertContains(dsdt, "IRQNoFlags ()\n{4}");
        assertContains(dsdt, "Name (_HID, \"LNRO0005\")");
        assertContains(dsdt, "Memory32Fixed (ReadWrite,\n0xD0001000,\n0x00001000,");
        assertContains(dsdt, "Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive, ,, )\n{\n0x0000000A,");
        assertEquals(cpus, count(dsdt, "Name (_HID, \"ACPI0007\""));
        assertContains(dsdt, "Method (_STA, 0, NotSerialized)");
        
    }

    /** The disassembled DSDT must compile back with iasl without errors or warnings. */
    private void recompileDsdt() throws IOException, InterruptedException {
        String out = run("iasl", "-p", "recompiled", "dsdt.dsl");
        assertTrue(out.contains("Compilation successful. 0 Errors, 0 Warnings"), "iasl dsdt.dsl:\n" + out);
    }

    /** ACPICA's interpreter loads the tables and evaluates \_S5 and a virtio device's _CRS. */
    private void evaluateWithAcpiexec() throws IOException, InterruptedException {
        String out = run("acpiexec", "-b", "evaluate \\_S5; evaluate \\_SB.VR01._CRS; evaluate \\_SB.COM1._STA",
                "facp.dat", "dsdt.dat", "apic.dat");
        assertContains(out, "ACPI: 1 ACPI AML tables successfully acquired and loaded");
        assertContains(out, "Evaluation of \\_S5 returned object");
        assertContains(out, "[Integer] = 0000000000000007");
        assertContains(out, "0000: 86 09 00 01 00 10 00 D0 00 10 00 00 89 06 00 01");
        assertContains(out, "0010: 01 0A 00 00 00 79 00");
        assertContains(out, "[Integer] = 000000000000000F");
        assertFalse(out.contains("AE_AML"), "acpiexec reported an AML error:\n" + out);
        assertFalse(out.contains("ACPI Error"), "acpiexec reported an error:\n" + out);
    }

    private String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", command) + " timed out");
        assertEquals(0, p.exitValue(), String.join(" ", command) + " failed:\n" + out);
        return out;
    }

    /** Runs iasl -d on {@code name}.dat; fails on a non-zero exit or any error/warning in its output. */
    private String disassemble(String name) throws IOException, InterruptedException {
        String out = run("iasl", "-d", name + ".dat");
        String dsl = Files.readString(dir.resolve(name + ".dsl"));
        String tool = out.lines().filter(l -> PROBLEM.matcher(l).find()).reduce("", (a, b) -> a + b + "\n");
        assertEquals("", tool, "iasl -d " + name + ".dat reported:\n" + out);
        List<String> bad = dsl.lines().filter(l -> PROBLEM.matcher(l).find() && !l.contains("Unknown"))
                .toList();
        assertTrue(bad.isEmpty(), name + ".dsl has problems " + bad + ":\n" + dsl);
        assertFalse(dsl.contains("**** Unknown"), name + ".dsl:\n" + dsl);
        // Normalise whitespace so the assertions can match "Field : Value" and multi-line resources.
        return dsl.lines().map(l -> l.replaceAll("^\\s*(\\[[0-9A-F]+h [0-9]+ +[0-9h]+\\]\\s*)?", "")
                        .replaceAll("\\s+", " ").replaceAll("\\s*//.*$", "").strip())
                .reduce("", (a, b) -> a + b + "\n");
    }

    private static void assertContains(String text, String needle) {
        assertTrue(text.contains(needle), "expected '" + needle + "' in:\n" + text);
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
