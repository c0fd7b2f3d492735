package io.jvirt.cli.virsh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * {@code jvirt -c jvirt:///session} as a user runs it: separate processes, the daemon started on
 * demand, then killed with SIGKILL while a VM runs; the next command starts a new daemon that
 * re-adopts the VM. The VMM is manager's {@link io.jvirt.manager.daemon.StandInVmm} (its test-jar), which starts faster than jvirt run.
 */
class JvirtSessionTest {

    @TempDir
    Path dir;

    private final List<Long> pids = new ArrayList<>();

    record Run(int rc, String out, String err) {
    }

    Run jvirt(String script) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String cp = System.getProperty("java.class.path");
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", cp,
                "io.jvirt.cli.Main", "-c", "jvirt:///session", script).directory(dir.toFile());
        pb.environment().put("JVIRT_ROOT", dir.resolve("root").toString());
        pb.environment().put("JVIRT_VMM_COMMAND", java + " -cp " + cp + " " + io.jvirt.manager.daemon.StandInVmm.class.getName());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    long pidOf(String runFile) throws Exception {
        String s = Files.readString(dir.resolve("root/run/" + runFile)).strip();
        long pid = Long.parseLong(s.startsWith("{") ? s.replaceAll("(?s).*\"pid\": (\\d+).*", "$1") : s);
        pids.add(pid);
        return pid;
    }

    @AfterEach
    void killAll() throws Exception {
        // Whatever the test got to: the current daemon and every recorded VMM.
        Path run = dir.resolve("root/run");
        if (Files.isDirectory(run)) {
            try (var files = Files.list(run)) {
                for (Path f : files.toList()) {
                    String n = f.getFileName().toString();
                    if (n.equals("jvirtd.pid") || n.endsWith(".json")) {
                        pidOf(n);
                    }
                }
            }
        }
        for (long p : pids) {
            ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void daemonOnDemandAndVmSurvivesDaemonKill() throws Exception {
        Files.writeString(dir.resolve("vm.xml"), "<domain type='kvm'><name>vm</name><memory unit='MiB'>64</memory>"
                + "<vcpu>1</vcpu><os><type>hvm</type><kernel>/boot/vmlinuz</kernel></os></domain>");
        Run r = jvirt("define vm.xml; start vm; list; start vm");
        assertEquals("Domain 'vm' defined from vm.xml\n\nDomain 'vm' started\n\n Id   Name   State\n"
                + "----------------------\n 1    vm     running\n\n\n", r.out());
        assertEquals("error: Domain is already active\n", r.err());
        assertEquals(1, r.rc());
        long daemon = pidOf("jvirtd.pid");
        long vmm = pidOf("vm.json");
        ProcessHandle d = ProcessHandle.of(daemon).orElseThrow();
        d.destroyForcibly();
        d.onExit().get(10, TimeUnit.SECONDS);
        assertTrue(ProcessHandle.of(vmm).map(ProcessHandle::isAlive).orElse(false), "the VM died with the daemon");

        r = jvirt("domstate vm --reason; dominfo vm");
        assertTrue(r.out().startsWith("running (booted)\n\nId:             1\nName:           vm\n"), r.out() + r.err());
        assertTrue(pidOf("jvirtd.pid") != daemon, "a new daemon serves the store");
        r = jvirt("shutdown vm");
        assertEquals("Domain 'vm' is being shutdown\n\n", r.out());
        long deadline = System.currentTimeMillis() + 20_000;
        do {
            Thread.sleep(100);
            r = jvirt("domstate vm --reason");
        } while (!r.out().startsWith("shut off") && System.currentTimeMillis() < deadline);
        assertEquals("shut off (shutdown)\n\n", r.out());
        assertTrue(ProcessHandle.of(vmm).map(h -> !h.isAlive()).orElse(true));

        r = jvirt("undefine nosuch; dumpxml vm --inactive");
        assertEquals("error: failed to get domain 'nosuch'\n", r.err());
        assertTrue(r.out().contains("<domain type='kvm'>\n  <name>vm</name>\n"), r.out());
        assertEquals(0, r.rc());
    }
}
