package io.jvirt.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvirt.vmm.accel.kvm.KvmAccelerator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jvirt run --accel kvm} end to end on real /dev/kvm with a gcc-built ELF64 guest: the
 * boot protocol (64-bit entry, RSI = boot_params, command line), COM1 output, i8042 reset and
 * reboot, ACPI power-off. Skips where /dev/kvm or the KVM backend is missing.
 */
@Timeout(60)
class RunKvmEndToEndTest {

    @TempDir
    static Path dir;
    static Path payload;

    @BeforeAll
    static void setUp() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/kvm")), "needs /dev/kvm");
        try {
            KvmAccelerator.open();
        } catch (RuntimeException e) {
            assumeTrue(false, "the KVM accelerator cannot open: " + e.getMessage());
        }
        payload = Payloads.build(dir, "echo", Payloads.ECHO_CMDLINE);
    }

    private static String[] args(String... extra) {
        String[] base = {"--kernel", payload.toString(), "--accel", "kvm", "--memory", "64M",
                "--cmdline", "hello from boot_params"};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    @Test
    void rebootsOnceThenPowersOffWithStatusZero() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = RunCommand.run(args(), null, new PrintStream(out, true), new PrintStream(err, true));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        assertEquals("guest says: hello from boot_params\nguest says: hello from boot_params\n",
                out.toString(StandardCharsets.US_ASCII));
    }

    /** jvirt as its own process: java with this test's class path, main class io.jvirt.cli.Main. */
    private static Process jvirtProcess(Path kernel, String... extra) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "io.jvirt.cli.Main", "run", "--kernel", kernel.toString(), "--accel", "kvm", "--memory", "32M"));
        cmd.addAll(java.util.List.of(extra));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static void awaitLine(Process p, String line) throws Exception {
        java.io.BufferedReader r = new java.io.BufferedReader(
                new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
        assertEquals(line, r.readLine());
    }

    @Test
    void sigtermStopsAHaltedGuestCleanly() throws Exception {
        Path halt = Payloads.build(dir, "halt", Payloads.HALT_FOREVER);
        Process p = jvirtProcess(halt);
        awaitLine(p, "up");
        p.destroy(); // SIGTERM
        org.junit.jupiter.api.Assertions.assertTrue(p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS),
                "jvirt ends within 10 s of SIGTERM");
        assertEquals(143, p.exitValue(), "128 + SIGTERM, after the shutdown hook stopped the VM");
    }

    @Test
    void ctrlRightBracketOnStdinQuitsWithStatusZero() throws Exception {
        Path halt = Payloads.build(dir, "halt2", Payloads.HALT_FOREVER);
        Process p = jvirtProcess(halt);
        awaitLine(p, "up");
        p.getOutputStream().write(0x1d);
        p.getOutputStream().flush();
        org.junit.jupiter.api.Assertions.assertTrue(p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
    }

    @Test
    void noRebootExitsTwoAtTheFirstReset() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = RunCommand.run(args("--no-reboot"), null, new PrintStream(out, true), new PrintStream(err, true));
        assertEquals(2, status, err.toString(StandardCharsets.UTF_8));
        assertEquals("guest says: hello from boot_params\n", out.toString(StandardCharsets.US_ASCII));
    }
}
