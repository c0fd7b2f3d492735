package io.jvirt.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jvirt run} bad input: one line naming the value and the fix, exit status 1. */
class RunCommandTest {

    @TempDir
    static Path dir;
    static Path payload;

    @BeforeAll
    static void build() throws Exception {
        payload = Payloads.build(dir, "echo", Payloads.ECHO_CMDLINE);
    }

    private record Result(int status, String out, String err) {
    }

    private static Result jvirt(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void assertBadInput(String expectedLine, String... args) {
        Result r = jvirt(args);
        assertEquals(1, r.status(), r.toString());
        assertEquals(expectedLine + "\n", r.err(), "exactly one line on stderr");
        assertEquals("", r.out());
    }

    @Test
    void helpListsEveryOptionAndTheExitStatuses() {
        Result r = jvirt("run", "--help");
        assertEquals(0, r.status());
        for (String option : new String[] {"--kernel", "--initrd", "--cmdline", "--memory", "--cpus", "--console",
                "--no-reboot", "--accel", "--console-device serial|hvc", "2 guest reset under --no-reboot"}) {
            assertTrue(r.out().contains(option), option);
        }
    }

    @Test
    void unknownOptionsAndMissingValues() {
        assertBadInput("jvirt: run: unknown option '--bogus'; see 'jvirt run --help'", "run", "--bogus");
        assertBadInput("jvirt: --kernel needs a value; see 'jvirt run --help'", "run", "--kernel");
        assertBadInput("jvirt: --accel 'xen' is not an accelerator; use kvm, tcg or auto", "run", "--accel", "xen");
        assertBadInput("jvirt: --console 'tty' is not a console; use stdio or file:PATH", "run", "--console=tty");
        assertBadInput("jvirt: --cpus 'two' is not a positive number; use e.g. --cpus 2", "run", "--cpus", "two");
        assertBadInput("jvirt: --cpus '0' is not a positive number; use e.g. --cpus 2", "run", "--cpus", "0");
    }

    @Test
    void kernelFileProblems() throws Exception {
        Path missing = dir.resolve("no-such-kernel");
        assertBadInput("jvirt: kernel " + missing + " does not exist; check the path given to --kernel",
                "run", "--kernel", missing.toString());
        Path text = Files.writeString(dir.resolve("readme.txt"), "not a kernel\n".repeat(200));
        assertBadInput("jvirt: " + text + " is not a Linux kernel (no bzImage header, not ELF64);"
                + " pass a bzImage or vmlinux to --kernel", "run", "--kernel", text.toString());
        assertBadInput("jvirt: kernel " + dir + " is not a regular file; pass a file to --kernel",
                "run", "--kernel", dir.toString());
    }

    @Test
    void sizesAreCheckedBeforeTheDefaultGuestIsBuilt() {
        assertBadInput("jvirt: memory size 8 MiB is below the minimum of 16 MiB; raise --memory (e.g. --memory 256M)",
                "run", "--memory", "8M");
    }

    @Test
    void initrdProblems() throws Exception {
        Path missing = dir.resolve("no-initrd");
        assertBadInput("jvirt: initrd " + missing + " does not exist; check the path given to --initrd",
                "run", "--kernel", payload.toString(), "--initrd", missing.toString());
        Path big = dir.resolve("big.cpio");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(20L << 20);
        }
        Path log = dir.resolve("console-of-a-vm-that-never-ran.log");
        Result r = jvirt("run", "--kernel", payload.toString(), "--initrd", big.toString(), "--memory", "16M",
                "--accel", "tcg", "--console", "file:" + log);
        assertTrue(Files.notExists(log), "no console file left behind after bad input");
        assertEquals(1, r.status(), r.toString());
        assertTrue(r.err().startsWith("jvirt: initrd " + big + " (20 MiB) does not fit: only "), r.err());
        assertTrue(r.err().endsWith("; raise --memory or use a smaller initrd\n"), r.err());
    }

    @Test
    void memorySizes() {
        String k = payload.toString();
        assertBadInput("jvirt: --memory 'lots' is not a size; use a number with K, M or G, e.g. --memory 256M",
                "run", "--kernel", k, "--memory", "lots");
        assertBadInput("jvirt: memory size 8 MiB is below the minimum of 16 MiB; raise --memory (e.g. --memory 256M)",
                "run", "--kernel", k, "--memory", "8M");
        Result r = jvirt("run", "--kernel", k, "--memory", "64T");
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("jvirt: memory size 64 TiB is more than the host has (")
                || r.err().startsWith("jvirt: memory size 65536 GiB is more than the host has ("), r.err());
        assertTrue(r.err().endsWith(" MemTotal); lower --memory\n"), r.err());
    }

    @Test
    void moreVcpusThanTheAcceleratorAllows() {
        assertBadInput("jvirt: --cpus 65 is more than the tcg accelerator allows (max 64); lower --cpus",
                "run", "--kernel", payload.toString(), "--accel", "tcg", "--cpus", "65");
    }

    @Test
    void unwritableConsoleFile() {
        Path bad = dir.resolve("no-dir").resolve("console.log");
        Result r = jvirt("run", "--kernel", payload.toString(), "--accel", "tcg", "--console", "file:" + bad);
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("jvirt: cannot create console file " + bad), r.err());
        assertTrue(r.err().endsWith("; pick a writable path for --console file:PATH\n"), r.err());
    }

    @Test
    void autoPicksKvmOnlyWithHardwareVirtualization() throws Exception {
        String cpuinfo = Files.readString(Path.of("/proc/cpuinfo"));
        boolean hw = cpuinfo.lines().anyMatch(l -> l.startsWith("flags")
                && (l.matches(".*\\bvmx\\b.*") || l.matches(".*\\bsvm\\b.*")));
        assertEquals(hw, RunCommand.hostHasHardwareVirtualization());
        assertEquals(hw ? "kvm" : "tcg", RunCommand.accelerator(hw ? "kvm" : "auto").name());
    }

    @Test
    void missingKvmDeviceNamesItAndTheFix() {
        Path none = dir.resolve("no-kvm-here");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> RunCommand.accelerator("kvm", none));
        assertEquals("--accel kvm needs " + none + ", which does not exist; load the kvm module"
                + " (modprobe kvm_intel or kvm_amd) or use --accel tcg", e.getMessage());
        assertEquals("tcg", RunCommand.accelerator("tcg", none).name());
    }

    @Test
    void sizesParseLikeQemu() throws Exception {
        assertEquals(256L << 20, RunOptions.parseSize("256"));
        assertEquals(256L << 20, RunOptions.parseSize("256M"));
        assertEquals(2L << 30, RunOptions.parseSize("2G"));
        assertEquals(2L << 30, RunOptions.parseSize("2GiB"));
        assertEquals(512L << 10, RunOptions.parseSize("512k"));
    }

    @Test
    void virtioDeviceOptions() throws Exception {
        Path disk = dir.resolve("disk.img");
        Files.write(disk, new byte[4096]);
        String k = payload.toString();
        assertBadInput("jvirt: --disk " + disk + ": unknown format 'vmdk'; use format=raw or format=qcow2",
                "run", "--kernel", k, "--disk", disk + ",format=vmdk");
        assertBadInput("jvirt: --disk '" + disk + ",cache=none': unknown option 'cache=none';"
                + " use PATH[,format=raw|qcow2][,readonly=on][,serial=S]", "run", "--kernel", k, "--disk", disk + ",cache=none");
        assertBadInput("jvirt: --disk '" + disk + ",readonly=maybe': readonly='maybe' is not on or off; use readonly=on",
                "run", "--kernel", k, "--disk=" + disk + ",readonly=maybe");
        assertBadInput("jvirt: --disk 'format=raw': no image path first; use PATH[,format=raw|qcow2][,readonly=on][,serial=S]",
                "run", "--kernel", k, "--disk", "format=raw");
        Path missing = dir.resolve("no-such.img");
        assertBadInput("jvirt: --disk " + missing + ": no such image file; check the path",
                "run", "--kernel", k, "--disk", missing.toString());
        assertBadInput("jvirt: --disk " + missing + ": no such image file; check the path",
                "run", "--disk", missing.toString()); // checked before the default guest is built
        assertBadInput("jvirt: --disk needs a value; see 'jvirt run --help'", "run", "--disk");
        assertBadInput("jvirt: --net 'tap=t0,mac=52:54:00:12:34': MAC '52:54:00:12:34' is not six hex pairs like"
                + " 52:54:00:12:34:56; use tap=NAME[,mac=52:54:00:12:34:56]", "run", "--kernel", k, "--net", "tap=t0,mac=52:54:00:12:34");
        assertBadInput("jvirt: --net 'tap=t0,model=e1000': unknown option 'model=e1000'; use tap=NAME[,mac=52:54:00:12:34:56]",
                "run", "--kernel", k, "--net", "tap=t0,model=e1000");
        assertBadInput("jvirt: --net 'mac=52:54:00:12:34:56': no tap=NAME; use tap=NAME[,mac=52:54:00:12:34:56]",
                "run", "--kernel", k, "--net", "mac=52:54:00:12:34:56");
        assertBadInput("jvirt: --rng takes no value, not 'on'; give --rng alone", "run", "--rng=on");
    }

    @Test
    void consoleDeviceAndFlagValues() throws Exception {
        String k = payload.toString();
        assertBadInput("jvirt: --console-device 'virtio' is not a console device; use hvc or serial",
                "run", "--kernel", k, "--console-device", "virtio");
        assertBadInput("jvirt: --console-device '' is not a console device; use hvc or serial",
                "run", "--kernel", k, "--console-device=");
        assertBadInput("jvirt: --console-device needs a value; see 'jvirt run --help'", "run", "--console-device");
        assertBadInput("jvirt: --no-reboot takes no value, not 'x'; give --no-reboot alone", "run", "--kernel", k, "--no-reboot=x");
        RunOptions hvc = RunOptions.parse(new String[] {"--console-device", "hvc", "--no-reboot"});
        assertEquals(io.jvirt.vmm.machine.ConsoleDevice.HVC, hvc.consoleDevice());
        assertTrue(hvc.noReboot());
        assertEquals(io.jvirt.vmm.machine.ConsoleDevice.SERIAL, RunOptions.parse(new String[0]).consoleDevice());
    }

    @Test
    void missingDiskAmongDevicesLeavesNothingBehind() throws Exception {
        Path log = dir.resolve("tap-console.log");
        Result r = jvirt("run", "--kernel", payload.toString(), "--accel", "tcg", "--console", "file:" + log,
                "--disk", dir.resolve("tap-disk.img").toString(), "--rng", "--net", "tap=lo");
        assertEquals(1, r.status(), r.toString());
        assertEquals("jvirt: --disk " + dir.resolve("tap-disk.img") + ": no such image file; check the path\n", r.err());
        assertEquals("", r.out());
        assertTrue(Files.notExists(log), "no console file left behind after bad input");
    }
}
