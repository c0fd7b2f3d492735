package io.jvirt.vmm.accel.tcg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jvirt.vmm.guest.DefaultGuest;
import io.jvirt.vmm.guest.GuestBuildException;
import io.jvirt.vmm.machine.Console;
import io.jvirt.vmm.machine.Machine;
import io.jvirt.vmm.machine.MachineConfig;
import io.jvirt.vmm.machine.MachineExit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The acceptance of the software CPU: Debian's cloud kernel with a busybox initramfs (the
 * default guest, {@link DefaultGuest#ensure()}) boots to
 * userspace on tcg, runs a command typed on the serial console and powers off, with 1 and 2
 * vCPUs. Slow (minutes): tagged {@code linux}. Skips when the kernel material cannot be made
 * or the CPU core is not in the build. The console log goes to target/tcg-linux/console-N.log.
 */
@Tag("linux")
class LinuxBootTcgTest {

    /** Default minutes for the whole boot; -Djvirt.tcg.bootMinutes=N to change. */
    private static final long MINUTES = Long.getLong("jvirt.tcg.bootMinutes", 15);

    /** Collects guest output and lets the test wait for a string. */
    static final class Transcript extends OutputStream {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private final OutputStream log;

        Transcript(OutputStream log) {
            this.log = log;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            buf.write(b);
            log.write(b);
            notifyAll();
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            buf.write(b, off, len);
            log.write(b, off, len);
            log.flush();
            notifyAll();
        }

        synchronized String text() {
            return buf.toString(StandardCharsets.UTF_8);
        }

        /** Waits until the line that contains {@code s} is complete. */
        synchronized boolean awaitLineEnd(String s, long deadline, Machine m) throws InterruptedException {
            while (true) {
                String t = text();
                int at = t.indexOf(s);
                if (at >= 0 && t.indexOf('\n', at) >= 0) {
                    return true;
                }
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0 || m.state() == io.jvirt.vmm.machine.RunState.STOPPED) {
                    return false;
                }
                wait(Math.min(left, 500));
            }
        }

        synchronized boolean await(String s, long deadline, Machine m) throws InterruptedException {
            while (!text().contains(s)) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0 || m.state() == io.jvirt.vmm.machine.RunState.STOPPED) {
                    return text().contains(s);
                }
                wait(Math.min(left, 500));
            }
            return true;
        }
    }

    @ParameterizedTest(name = "{0} vCPU(s)")
    @ValueSource(ints = {1, 2})
    void bootsToUserspaceRunsACommandAndPowersOff(int cpus) throws Exception {
        MachineExit exit = boot(cpus, "", "console-" + cpus + ".log", "poweroff -f");
        assertInstanceOf(MachineExit.PoweredOff.class, exit);
    }

    /**
     * With acpi=off (and no MP table: the Debian kernel lacks CONFIG_X86_MPPARSE) Linux finds no
     * IOAPIC, turns the local APIC off and stays in PIC mode ("APIC: Keep in PIC mode(8259)"):
     * the timer tick and every other interrupt come from the 8259 straight to the CPU. Reboot
     * goes through the i8042 (reboot=k) and, with --no-reboot, ends the machine. With nokaslr the
     * kernel decompressed on the host runs at its link address.
     */
    @Test
    void bootsWithThe8259AloneWhenThereIsNoAcpi() throws Exception {
        MachineExit exit = boot(1, " acpi=off nokaslr", "console-pic.log", "reboot -f");
        assertInstanceOf(MachineExit.ResetRequested.class, exit);
    }

    /** Boots, checks the CPU count, runs a typed command, then {@code last}; returns how the machine ended. */
    private static MachineExit boot(int cpus, String extraCmdline, String logName, String last) throws Exception {
        DefaultGuest guest;
        try {
            guest = DefaultGuest.ensure();
        } catch (GuestBuildException e) {
            Assumptions.abort("no default guest (Debian cloud kernel + busybox initramfs): " + e.getMessage());
            return null;
        }
        Path logFile = Path.of("target", "tcg-linux", logName);
        Files.createDirectories(logFile.getParent());
        MachineConfig config = new MachineConfig(guest.kernel(), Optional.of(guest.initramfs()),
                "console=ttyS0 earlyprintk=serial,ttyS0 reboot=k panic=-1" + extraCmdline, 256L << 20, cpus, true);
        PipedOutputStream keys = new PipedOutputStream();
        PipedInputStream in = new PipedInputStream(keys, 4096);
        try (OutputStream log = Files.newOutputStream(logFile)) {
            Transcript out = new Transcript(log);
            Console console = Console.streams(in, out);
            try (console; Machine m = Machine.create(TcgAccelerator.create(), config, console)) {
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(MINUTES);
                m.start();
                if (!out.await(DefaultGuest.READY_MARKER, deadline, m) || !out.await("/ # ", deadline, m)) {
                    fail("no userspace shell after " + MINUTES + " min on " + cpus + " vCPU(s); console tail:\n"
                            + tail(out));
                }
                Thread.sleep(300);
                keys.write(("echo cpus=$(grep -c ^processor /proc/cpuinfo)"
                        + " text=$(grep -w _text /proc/kallsyms | cut -d' ' -f1) jvirt-$((6*7))-ok\n")
                        .getBytes(StandardCharsets.US_ASCII));
                keys.flush();
                if (!out.await("jvirt-42-ok", deadline, m) || !out.awaitLineEnd("jvirt-42-ok", deadline, m)) {
                    fail("the typed command did not run; console tail:\n" + tail(out));
                }
                assertTrue(out.text().contains("cpus=" + cpus + " text="),
                        "the guest should see " + cpus + " CPU(s); console tail:\n" + tail(out));
                checkKernelBase(out.text(), config.cmdline());
                keys.write((last + "\n").getBytes(StandardCharsets.US_ASCII));
                keys.flush();
                long left = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime()));
                MachineExit exit = awaitExit(m, left);
                System.out.println(logName + ": " + exit);
                if (exit instanceof MachineExit.Stopped) {
                    fail("'" + last + "' did not end the machine; console tail:\n" + tail(out));
                }
                return exit;
            }
        }
    }

    /**
     * The kernel's _text as the guest reports it: the link address with {@code nokaslr}, else a
     * 2 MiB-aligned address in the 1 GiB kernel mapping (KASLR, applied by the loader).
     */
    private static void checkKernelBase(String console, String cmdline) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("text=([0-9a-f]{16}) jvirt-42-ok").matcher(console);
        assertTrue(m.find(), "no _text in the guest's /proc/kallsyms");
        long text = Long.parseUnsignedLong(m.group(1), 16);
        long link = 0xffffffff81000000L;
        if (cmdline.contains("nokaslr")) {
            assertEquals(link, text, "nokaslr: the kernel runs where it was linked");
        } else {
            assertTrue(text - link >= 0 && text - link < (1L << 30) && text % (2 << 20) == 0,
                    String.format("_text 0x%x is not a KASLR base", text));
        }
    }

    private static MachineExit awaitExit(Machine m, long seconds) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (m.state() != io.jvirt.vmm.machine.RunState.STOPPED && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        if (m.state() != io.jvirt.vmm.machine.RunState.STOPPED) {
            m.stop();
        }
        return m.awaitExit();
    }

    private static String tail(Transcript out) {
        String s = out.text();
        return s.substring(Math.max(0, s.length() - 4000));
    }
}
