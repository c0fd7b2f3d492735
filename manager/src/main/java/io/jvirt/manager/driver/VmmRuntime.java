package io.jvirt.manager.driver;

import io.jvirt.manager.VirtException;
import io.jvirt.manager.store.Store;
import io.jvirt.manager.xml.DomainXml;
import io.jvirt.vmm.control.Json;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One VMM process per running domain ({@code jvirt run ... --control SOCKET}), started in its
 * own session (setsid) so that stopping or killing the daemon never takes a VM down. What a
 * later daemon needs to find it again (pid, process start time against pid reuse, control
 * socket) is written to run/NAME.json before the launch returns.
 */
final class VmmRuntime implements Runtime {

    private static final System.Logger LOG = System.getLogger(VmmRuntime.class.getName());
    private static final long START_TIMEOUT_MS = 20_000;

    /** Told when a VMM ends on its own (reason shutdown, rebooted = guest reset under --no-reboot, crashed) and of its events. */
    interface Listener {
        void exited(String name, String reason);

        void event(String name, Map<String, Object> event);
    }

    /** One supervised VMM. */
    static final class Vmm {
        final ProcessHandle handle;
        final Process process;
        final Path control;
        final Path console;
        volatile ControlClient client;
        volatile boolean expected;
        volatile boolean guestShutdown;

        Vmm(ProcessHandle handle, Process process, Path control, Path console) {
            this.handle = handle;
            this.process = process;
            this.control = control;
            this.console = console;
        }
    }

    private final Store store;
    private final List<String> command;
    private final Map<String, Vmm> vmms = new ConcurrentHashMap<>();
    volatile Listener listener;

    VmmRuntime(Store store, List<String> command) {
        this.store = store;
        this.command = command;
    }

    /** The command that runs {@code jvirt}: JVIRT_VMM_COMMAND, else {@link io.jvirt.manager.SelfCommand}. */
    static List<String> defaultCommand() {
        String env = System.getenv("JVIRT_VMM_COMMAND");
        if (env != null && !env.isBlank()) {
            return List.of(env.trim().split("\\s+"));
        }
        return io.jvirt.manager.SelfCommand.command();
    }

    static List<String> runArguments(DomainXml def, Path control, Path console) throws VirtException {
        if (def.kernel() == null) {
            throw VirtException.unsupported("domain '" + def.name() + "' has no <os><kernel>; jvirt boots guests"
                    + " by direct kernel boot, so add <kernel> (and <initrd>, <cmdline>)");
        }
        List<String> a = new ArrayList<>(List.of("run", "--kernel", def.kernel()));
        if (def.initrd() != null) {
            a.addAll(List.of("--initrd", def.initrd()));
        }
        if (def.cmdline() != null) {
            a.addAll(List.of("--cmdline", def.cmdline()));
        }
        a.addAll(List.of("--memory", def.memoryKiB() + "K", "--cpus", Integer.toString(def.vcpus()),
                "--accel", def.accelerator() == DomainXml.Accel.TCG ? "tcg" : "kvm",
                "--console", "file:" + console, "--control", control.toString()));
        if (!"restart".equals(def.onReboot())) {
            a.add("--no-reboot");
        }
        return a;
    }

    @Override
    public void launch(String name, int id, DomainXml def) throws VirtException {
        Path run = store.runDir();
        Path control = run.resolve(name + ".ctl");
        Path console = run.resolve(name + ".console");
        Path log = run.resolve(name + ".log");
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            cmd.add("/usr/bin/setsid");
        }
        cmd.addAll(command);
        cmd.addAll(runArguments(def, control, console));
        Process p;
        try {
            Files.deleteIfExists(control);
            p = new ProcessBuilder(cmd).redirectInput(new File("/dev/null"))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw VirtException.internal("cannot start the VMM for '" + name + "' (" + String.join(" ", cmd) + "): " + e.getMessage());
        }
        Vmm vmm = new Vmm(p.toHandle(), p, control, console);
        try {
            vmm.client = connect(name, vmm, START_TIMEOUT_MS);
            store.put("run/" + name + ".xml", def.toString());
            store.put("run/" + name + ".json", record(vmm, id));
        } catch (VirtException e) {
            vmm.expected = true;
            p.destroyForcibly();
            cleanup(name);
            throw e;
        }
        vmms.put(name, vmm);
        watch(name, vmm);
    }

    private ControlClient connect(String name, Vmm vmm, long timeoutMs) throws VirtException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        IOException last = null;
        while (System.currentTimeMillis() < deadline) {
            if (!vmm.handle.isAlive()) {
                throw VirtException.internal("the VMM for '" + name + "' exited during start-up"
                        + (vmm.process != null ? " with status " + vmm.process.exitValue() : "") + ": " + logTail(name));
            }
            if (Files.exists(vmm.control)) {
                try {
                    return ControlClient.connect(vmm.control, ev -> onEvent(name, vmm, ev));
                } catch (IOException e) {
                    last = e;
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw VirtException.internal("the VMM for '" + name + "' did not open its control socket " + vmm.control
                + " within " + timeoutMs / 1000 + " s" + (last != null ? " (" + last.getMessage() + ")" : "") + ": " + logTail(name));
    }

    private String logTail(String name) {
        try {
            List<String> lines = Files.readAllLines(store.runDir().resolve(name + ".log"));
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static String record(Vmm vmm, int id) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", vmm.handle.pid());
        m.put("started", vmm.handle.info().startInstant().map(Instant::toEpochMilli).orElse(0L));
        m.put("control", vmm.control.toString());
        m.put("console", vmm.console.toString());
        m.put("id", id);
        return Json.write(m) + "\n";
    }

    private void onEvent(String name, Vmm vmm, Map<String, Object> ev) {
        if ("SHUTDOWN".equals(ev.get("event")) && ev.get("data") instanceof Map<?, ?> d && Boolean.TRUE.equals(d.get("guest"))) {
            vmm.guestShutdown = true;
        }
        Listener l = listener;
        if (l != null) {
            l.event(name, ev);
        }
    }

    private void watch(String name, Vmm vmm) {
        vmm.handle.onExit().thenRun(() -> {
            vmms.remove(name, vmm);
            if (vmm.client != null) {
                vmm.client.close();
            }
            if (vmm.expected) {
                return;
            }
            String reason;
            if (vmm.process != null) {
                int rc = vmm.process.exitValue();
                // jvirt run: 0 guest powered off, 2 guest reset under --no-reboot, 3 the VM failed.
                reason = rc == 0 ? "shutdown" : rc == 2 ? "rebooted" : "crashed";
            } else {
                reason = vmm.guestShutdown ? "shutdown" : "crashed";
            }
            cleanup(name);
            Listener l = listener;
            if (l != null) {
                l.exited(name, reason);
            }
        });
    }

    void cleanup(String name) {
        try {
            store.remove("run/" + name + ".json");
            store.remove("run/" + name + ".xml");
            Files.deleteIfExists(store.runDir().resolve(name + ".ctl"));
        } catch (VirtException | IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot clean up run files of '" + name + "': " + e.getMessage());
        }
    }

    /**
     * Re-adopts a VMM a previous daemon started: the recorded pid must still run with the
     * recorded start time and answer on its control socket. Returns its run state word.
     */
    Optional<String> adopt(String name) throws VirtException {
        Optional<String> rec = store.get("run/" + name + ".json");
        if (rec.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Object> m;
        try {
            m = Json.parseObject(rec.get());
        } catch (Json.JsonException e) {
            cleanup(name);
            return Optional.empty();
        }
        long pid = ((Number) m.get("pid")).longValue();
        long started = ((Number) m.get("started")).longValue();
        Optional<ProcessHandle> h = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(x -> x.info().startInstant().map(Instant::toEpochMilli).orElse(0L) == started);
        if (h.isEmpty()) {
            cleanup(name);
            return Optional.empty();
        }
        Vmm vmm = new Vmm(h.get(), null, Path.of((String) m.get("control")), Path.of((String) m.get("console")));
        try {
            vmm.client = connect(name, vmm, 3000);
            Object st = vmm.client.execute("query-status");
            vmms.put(name, vmm);
            watch(name, vmm);
            return Optional.of(st instanceof Map<?, ?> s ? String.valueOf(s.get("status")) : "running");
        } catch (VirtException e) {
            LOG.log(System.Logger.Level.WARNING, "VMM of '" + name + "' (pid " + pid + ") does not answer; leaving it alone: " + e.getMessage());
            return Optional.empty();
        }
    }

    static int recordedId(Store store, String name) throws VirtException {
        return store.get("run/" + name + ".json").map(Json::parseObject)
                .map(m -> ((Number) m.get("id")).intValue()).orElse(-1);
    }

    private Vmm vmm(String name) throws VirtException {
        Vmm v = vmms.get(name);
        if (v == null) {
            throw VirtException.invalidOperation("domain '" + name + "' has no running VMM");
        }
        return v;
    }

    @Override
    public boolean powerdown(String name) throws VirtException {
        vmm(name).client.execute("system_powerdown");
        return false;
    }

    @Override
    public void kill(String name) throws VirtException {
        Vmm v = vmm(name);
        v.expected = true;
        try {
            v.client.execute("quit");
        } catch (VirtException e) {
            LOG.log(System.Logger.Level.DEBUG, "quit on '" + name + "': " + e.getMessage());
        }
        try {
            v.handle.onExit().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            v.handle.destroy();
            try {
                v.handle.onExit().get(3, TimeUnit.SECONDS);
            } catch (Exception e2) {
                v.handle.destroyForcibly();
            }
        }
        vmms.remove(name);
        cleanup(name);
    }

    @Override
    public void pause(String name) throws VirtException {
        vmm(name).client.execute("stop");
    }

    @Override
    public void resume(String name) throws VirtException {
        vmm(name).client.execute("cont");
    }

    @Override
    public void reset(String name) throws VirtException {
        vmm(name).client.execute("system_reset");
    }

    @Override
    public boolean reboot(String name) throws VirtException {
        vmm(name).client.execute("system_reset");
        return true;
    }

    /** The VMM process's CPU time (vCPU threads and device emulation together). */
    @Override
    public long cpuNanos(String name) {
        Vmm v = vmms.get(name);
        return v == null ? -1 : v.handle.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
    }

    @Override
    public String console(String name) throws VirtException {
        return vmm(name).console.toString();
    }
}
