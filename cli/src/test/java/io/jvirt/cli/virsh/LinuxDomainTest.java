package io.jvirt.cli.virsh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Linux on the software CPU as a daemon-supervised domain, through the jvirt command line: a
 * qcow2 disk (made by qemu-img, a pattern written by qemu-io) with a serial number and an rng
 * from the domain XML reach the guest as vda and hwrng; a command typed into {@code jvirt
 * console} runs in the guest's shell; {@code jvirt reboot} presses the ACPI power button and the
 * daemon boots the guest again with the same id. Slow (about a minute): tagged {@code linux}.
 */
@Tag("linux")
class LinuxDomainTest extends DaemonProcesses {

    static final String MARKER = "== vda";

    @Test
    void diskRngConsoleAndAcpiRebootOfALinuxDomain() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-img")) && Files.isExecutable(Path.of("/usr/bin/qemu-io")),
                "qemu-utils makes the disk; scripts/install-deps installs it");
        ModularGuest.Files2 guest = ModularGuest.build(dir, "echo \"" + MARKER + " serial=$(cat /sys/block/vda/serial)"
                + " ro=$(cat /sys/block/vda/ro) rng=$(cat /sys/class/misc/hw_random/rng_current)"
                + " data=$(dd if=/dev/vda bs=4 count=1 2>/dev/null | hexdump -C | head -1 | cut -c11-21)\"");
        Path disk = dir.resolve("disk.qcow2");
        ModularGuest.run(dir, "qemu-img", "create", "-q", "-f", "qcow2", disk.toString(), "8M");
        ModularGuest.run(dir, "qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 0 4k", disk.toString());
        Files.writeString(dir.resolve("lin.xml"), """
                <domain type='qemu'>
                  <name>lin</name>
                  <memory unit='MiB'>256</memory>
                  <os><type>hvm</type><kernel>%s</kernel><initrd>%s</initrd><cmdline>console=ttyS0 panic=-1</cmdline></os>
                  <devices>
                    <disk type='file' device='disk'>
                      <driver name='qemu' type='qcow2'/>
                      <source file='%s'/>
                      <target dev='vda' bus='virtio'/>
                      <serial>jvirt-disk0</serial>
                    </disk>
                    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
                  </devices>
                </domain>
                """.formatted(guest.kernel(), guest.initrd(), disk));
        String out = jvirt("define lin.xml; start lin; domid lin");
        assertTrue(out.contains("Domain 'lin' started\n"), out);
        String id = out.substring(out.indexOf("started\n") + 8).strip().split("\n")[0].strip();
        Path console = dir.resolve("root/run/lin.console");
        String text = console(console, MARKER, 1, 240);
        assertTrue(text.contains(MARKER + " serial=jvirt-disk0 ro=0 rng=virtio_rng.0 data=5a 5a 5a 5a"), text);

        // Typed input reaches the guest's shell through the daemon; ^] ends the session.
        ProcessBuilder pb = jvirtProcess("console lin");
        pb.environment().put("JVIRT_CONSOLE_NO_TTY", "1");
        Process p = pb.start();
        OutputStream typed = p.getOutputStream();
        InputStream shown = p.getInputStream();
        typed.write("echo $((6*7))-answer\n".getBytes(StandardCharsets.US_ASCII));
        typed.flush();
        String session = readUntil(shown, "42-answer");
        assertTrue(session.startsWith("Connected to domain 'lin'\nEscape character is ^] (Ctrl + ])\n"), session);
        typed.write(0x1d);
        typed.flush();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "jvirt console did not end at ^]");
        assertEquals(0, p.exitValue());

        // reboot: the guest sees the ACPI power button and powers off; the daemon boots it again.
        long first = pid("lin.json");
        out = jvirt("reboot lin");
        assertEquals("Domain 'lin' is being rebooted\n\n", out);
        long deadline = System.currentTimeMillis() + 120_000;
        while (currentPid("lin.json") == first || currentPid("lin.json") <= 0) {
            assertTrue(System.currentTimeMillis() < deadline, "no new VMM after reboot: " + Files.readString(console));
            Thread.sleep(200);
        }
        text = console(console, MARKER, 1, 240);
        assertTrue(text.contains(MARKER + " serial=jvirt-disk0"), text);
        out = jvirt("domid lin; domstate lin --reason; destroy lin");
        assertEquals(id + "\n\nrunning (booted)\n\nDomain 'lin' destroyed\n\n", out);
        assertTrue(ProcessHandle.of(first).map(h -> !h.isAlive()).orElse(true));
    }

    static String readUntil(InputStream in, String want) throws Exception {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        Thread t = Thread.ofPlatform().daemon().start(() -> {
            try {
                int b;
                while ((b = in.read()) >= 0) {
                    synchronized (seen) {
                        seen.write(b);
                    }
                }
            } catch (java.io.IOException e) {
                // ended
            }
        });
        long deadline = System.currentTimeMillis() + 120_000;
        while (true) {
            String s;
            synchronized (seen) {
                s = seen.toString(StandardCharsets.UTF_8);
            }
            if (s.contains(want)) {
                return s;
            }
            assertTrue(System.currentTimeMillis() < deadline && t.isAlive(), "console never showed '" + want + "': " + s);
            Thread.sleep(100);
        }
    }
}
