package io.jvirt.cli.virsh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvirt.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon supervising the real {@code jvirt run} on the software CPU: a gcc-built guest that
 * prints "Hi" on COM1 and spins. Skips until {@code jvirt run} takes {@code --control}.
 */
class RealVmmTest {

    @TempDir
    Path dir;

    private final List<Long> pids = new ArrayList<>();

    static boolean runHasControl() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Main.run(new String[] {"run", "--help"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8).contains("--control");
    }

    String jvirt(String script) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), "io.jvirt.cli.Main", "-c", "jvirt:///session", script)
                .directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("JVIRT_ROOT", dir.resolve("root").toString());
        pb.environment().remove("JVIRT_VMM_COMMAND");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        return out;
    }

    long pid(String runFile) throws Exception {
        String s = Files.readString(dir.resolve("root/run/" + runFile)).strip();
        long pid = Long.parseLong(s.startsWith("{") ? s.replaceAll("(?s).*\"pid\": (\\d+).*", "$1") : s);
        pids.add(pid);
        return pid;
    }

    @AfterEach
    void killAll() throws Exception {
        Path run = dir.resolve("root/run");
        if (Files.isDirectory(run)) {
            try (var files = Files.list(run)) {
                for (Path f : files.toList()) {
                    String n = f.getFileName().toString();
                    if (n.equals("jvirtd.pid") || n.endsWith(".json")) {
                        pid(n);
                    }
                }
            }
        }
        pids.forEach(p -> ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly));
    }

    static String console(Path file, String want, int times) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        String s = "";
        while (System.currentTimeMillis() < deadline) {
            s = Files.exists(file) ? Files.readString(file) : "";
            if (s.split(want, -1).length - 1 >= times) {
                return s;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("console never showed '" + want + "' " + times + " times: " + s);
    }

    @Test
    void daemonDrivesRealVmmOnTheSoftwareCpu() throws Exception {
        assumeTrue(runHasControl(), "jvirt run has no --control yet (the lead wires vmm.control.MachineControl into it)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcc")), "gcc builds the guest; scripts/install-deps installs it");
        Files.writeString(dir.resolve("spin.S"), """
                .globl _start
                _start:
                    mov $0x3f8, %dx
                    mov $'H', %al
                    out %al, %dx
                    mov $'i', %al
                    out %al, %dx
                    mov $'\\n', %al
                    out %al, %dx
                1:  jmp 1b
                """);
        Files.writeString(dir.resolve("spin.lds"), """
                ENTRY(_start)
                SECTIONS {
                  . = 0x200000;
                  .text : AT(0x200000) { *(.text*) }
                  /DISCARD/ : { *(.note*) *(.comment) *(.eh_frame*) }
                }
                """);
        Process gcc = new ProcessBuilder("gcc", "-nostdlib", "-static", "-no-pie", "-ffreestanding",
                "-Wl,--build-id=none", "-Wl,-z,max-page-size=0x1000", "-Wl,-T,spin.lds", "-o", "spin.elf", "spin.S")
                .directory(dir.toFile()).redirectErrorStream(true).start();
        assertEquals(0, gcc.waitFor(), new String(gcc.getInputStream().readAllBytes()));
        Files.writeString(dir.resolve("spin.xml"), "<domain type='qemu'><name>spin</name><memory unit='MiB'>32</memory>"
                + "<os><type>hvm</type><kernel>" + dir.resolve("spin.elf") + "</kernel></os></domain>");

        String out = jvirt("define spin.xml; start spin; suspend spin; domstate spin --reason; resume spin; reset spin");
        assertTrue(out.contains("Domain 'spin' started\n") && out.contains("paused (user)\n")
                && out.contains("Domain 'spin' was reset\n"), out);
        Path consoleFile = dir.resolve("root/run/spin.console");
        console(consoleFile, "Hi\n", 2);
        long vmm = pid("spin.json");
        ProcessHandle daemon = ProcessHandle.of(pid("jvirtd.pid")).orElseThrow();
        daemon.destroyForcibly();
        daemon.onExit().get(10, TimeUnit.SECONDS);
        assertTrue(ProcessHandle.of(vmm).map(ProcessHandle::isAlive).orElse(false), "the VM died with the daemon");
        out = jvirt("domstate spin --reason; destroy spin; domstate spin --reason");
        assertEquals("running (booted)\n\nDomain 'spin' destroyed\n\nshut off (destroyed)\n\n", out);
        assertTrue(ProcessHandle.of(vmm).map(h -> !h.isAlive()).orElse(true));
    }
}
