package io.jvirt.cli.virsh;

import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.io.TempDir;

/**
 * Test scaffolding for the daemon driving real {@code jvirt run} processes through the CLI: a
 * store under a temporary directory, the jvirt command as a child process, and every VMM and
 * daemon it started killed afterwards.
 */
abstract class DaemonProcesses {

    @TempDir
    Path dir;

    private final List<Long> pids = new ArrayList<>();
    /** Put before the java command (e.g. {@code ip netns exec NS}): the CLI, so its daemon and VMMs, run there. */
    List<String> prefix = List.of();

    static boolean runHasControl() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Main.run(new String[] {"run", "--help"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8).contains("--control");
    }

    /** {@code jvirt -c jvirt:///session SCRIPT} with the store in dir/root (the CLI starts the daemon). */
    ProcessBuilder jvirtProcess(String script) {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), "io.jvirt.cli.Main", "-c", "jvirt:///session", script));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("JVIRT_ROOT", dir.resolve("root").toString());
        pb.environment().remove("JVIRT_VMM_COMMAND");
        return pb;
    }

    String jvirt(String script) throws Exception {
        Process p = jvirtProcess(script).start();
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

    /** The pid in a run record, or -1 while there is none (between a VMM's exit and its successor). */
    long currentPid(String runFile) throws Exception {
        try {
            return pid(runFile);
        } catch (java.nio.file.NoSuchFileException | NumberFormatException e) {
            return -1;
        }
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
        return console(file, want, times, 60);
    }

    static String console(Path file, String want, int times, int seconds) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        String s = "";
        while (System.currentTimeMillis() < deadline) {
            s = Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
            if (s.split(want, -1).length - 1 >= times) {
                return s;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("console never showed '" + want + "' " + times + " times: " + s);
    }


    /**
     * gcc: an ELF64 payload (dir/spin.elf) that prints "Hi" on COM1 and halts with interrupts
     * off, so a running VM costs no CPU (the software CPU sleeps in HLT until a kick).
     */
    Path spinGuest() throws Exception {
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
                    cli
                1:  hlt
                    jmp 1b
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
        assertTrue(gcc.waitFor() == 0, new String(gcc.getInputStream().readAllBytes()));
        return dir.resolve("spin.elf");
    }
}
