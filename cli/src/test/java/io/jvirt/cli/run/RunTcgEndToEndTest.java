package io.jvirt.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jvirt run --accel tcg} end to end with the same gcc-built ELF64 guest as the KVM test:
 * the software CPU enters it in long mode with RSI = boot_params, it prints the command line,
 * resets through the i8042 and powers off through ACPI on its second boot.
 */
@Timeout(120)
class RunTcgEndToEndTest {

    @TempDir
    static Path dir;
    static Path payload;

    @BeforeAll
    static void build() throws Exception {
        payload = Payloads.build(dir, "echo", Payloads.ECHO_CMDLINE);
    }

    private static int run(ByteArrayOutputStream out, ByteArrayOutputStream err, String... extra) {
        String[] base = {"--kernel", payload.toString(), "--accel", "tcg", "--memory", "64M",
                "--cmdline", "hello from boot_params"};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return RunCommand.run(all, null, new PrintStream(out, true), new PrintStream(err, true));
    }

    @ParameterizedTest(name = "{0} vCPU(s)")
    @ValueSource(strings = {"1", "2"})
    void rebootsOnceThenPowersOffWithStatusZero(String cpus) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, run(out, err, "--cpus", cpus), err.toString(StandardCharsets.UTF_8));
        assertEquals("guest says: hello from boot_params\nguest says: hello from boot_params\n",
                out.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void noRebootExitsTwoAtTheFirstReset() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, run(out, err, "--no-reboot"), err.toString(StandardCharsets.UTF_8));
        assertEquals("guest says: hello from boot_params\n", out.toString(StandardCharsets.US_ASCII));
        assertEquals("jvirt: the guest reset (i8042 or ACPI reset request) and --no-reboot was given; exit status 2\n",
                err.toString(StandardCharsets.UTF_8));
    }
}
