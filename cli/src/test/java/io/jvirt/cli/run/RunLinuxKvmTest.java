package io.jvirt.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code jvirt run --accel kvm} boots Debian's cloud kernel with a busybox initramfs to
 * userspace, which prints what it sees and powers off: exit status 0. Needs real VT-x/AMD-V
 * (vmx or svm in /proc/cpuinfo) and /dev/kvm; skips otherwise (kvm_pvm hosts cannot boot an
 * unmodified Linux kernel).
 */
@Tag("linux")
@Timeout(300)
class RunLinuxKvmTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} vCPU(s)")
    @ValueSource(strings = {"1", "2"})
    void bootsToUserspaceAndPowersOff(String cpus) throws Exception {
        assumeTrue(RunCommand.hostHasHardwareVirtualization(), "needs VT-x/AMD-V (no vmx/svm in /proc/cpuinfo)");
        assumeTrue(Files.exists(Path.of("/dev/kvm")), "needs /dev/kvm");
        LinuxGuest.Files2 guest = LinuxGuest.ensure(dir);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = RunCommand.run(new String[] {"--kernel", guest.kernel().toString(), "--initrd",
                guest.initrd().toString(), "--accel", "kvm", "--cpus", cpus, "--memory", "512M",
                "--cmdline", "console=ttyS0 reboot=k panic=-1 jvirt.test=1"}, null,
                new PrintStream(out, true), new PrintStream(err, true));
        String console = out.toString(StandardCharsets.UTF_8);
        String tail = console.substring(Math.max(0, console.length() - 3000));
        assertEquals(0, status, err + tail);
        assertTrue(console.contains(LinuxGuest.MARKER + " cpus=" + cpus + " cmdline=console=ttyS0 reboot=k panic=-1"
                + " jvirt.test=1"), tail);
        assertTrue(console.contains("ttyS0 at I/O 0x3f8 (irq = 4, base_baud = 115200) is a 16550A"), tail);
    }
}
