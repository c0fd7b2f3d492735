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

    /**
     * On a terminal (a pty from script(1)) stdin goes raw: Ctrl-C reaches the guest instead of
     * killing jvirt, Ctrl-] quits without Enter, and the terminal is restored afterwards
     * (canonical mode and echo back on).
     */
    @Test
    void rawTerminalCtrlRightBracketQuitsAndTheTerminalIsRestored() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "needs script(1) from util-linux for a pty");
        Path halt = Payloads.build(dir, "halt3", Payloads.HALT_FOREVER);
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String jvirt = javaBin + " --enable-native-access=ALL-UNNAMED -cp " + System.getProperty("java.class.path")
                + " io.jvirt.cli.Main run --kernel " + halt + " --accel kvm --memory 32M";
        String inner = jvirt + "; echo status=$?; stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo";
        Process p = new ProcessBuilder("/usr/bin/script", "-qec", inner, "/dev/null")
                .redirectErrorStream(true).start();
        java.io.InputStream in = p.getInputStream();
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!seen.toString().contains("u") && System.nanoTime() < deadline) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            seen.append((char) c);
        }
        p.getOutputStream().write(0x03); // Ctrl-C goes to the guest, not to jvirt
        p.getOutputStream().flush();
        Thread.sleep(500);
        org.junit.jupiter.api.Assertions.assertTrue(p.isAlive(), "Ctrl-C did not stop jvirt");
        p.getOutputStream().write(0x1d); // no newline: only a raw terminal delivers it at once
        p.getOutputStream().flush();
        org.junit.jupiter.api.Assertions.assertTrue(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS),
                "jvirt quit on Ctrl-] without Enter; saw: " + seen);
        String rest = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r", "");
        org.junit.jupiter.api.Assertions.assertTrue(rest.contains("status=0\n"), rest);
        org.junit.jupiter.api.Assertions.assertTrue(rest.contains("\nicanon\n") && rest.contains("\necho\n"),
                "terminal restored to canonical mode with echo: " + rest);
    }

    @Test
    void moreVcpusThanKvmAllowsIsBadInput() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = RunCommand.run(args("--cpus", "9999"), null, new PrintStream(out, true), new PrintStream(err, true));
        assertEquals(1, status);
        String e = err.toString(StandardCharsets.UTF_8);
        org.junit.jupiter.api.Assertions.assertTrue(
                e.matches("jvirt: --cpus 9999 is more than the kvm accelerator allows \\(max \\d+\\); lower --cpus\n"), e);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void twoVcpusRebootAndPowerOff() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = RunCommand.run(args("--cpus", "2"), null, new PrintStream(out, true), new PrintStream(err, true));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        assertEquals("guest says: hello from boot_params\nguest says: hello from boot_params\n",
                out.toString(StandardCharsets.US_ASCII));
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
