package io.jvirt.manager.driver;

import io.jvirt.manager.NetworkInfo;
import io.jvirt.manager.VirtException;
import io.jvirt.manager.store.Store;
import io.jvirt.manager.xml.DomainXml;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * One VMM process per running domain ({@code jvirt run ... --control SOCKET}), started in its
 * own session (setsid) so that stopping or killing the daemon never takes a VM down. What a
 * later daemon needs to find it again (pid, process start time against pid reuse, control
 * socket) is written to run/NAME.json before the launch returns.
 */
final class VmmRuntime implements Runtime {

    private static final System.Logger LOG = System.getLogger(VmmRuntime.class.getName());
    private static final long START_TIMEOUT_MS = 20_000;

    /**
     * Told when a VMM ends on its own (reason shutdown, reboot = the guest powered off after
     * {@link #reboot} asked it to, rebooted = guest reset under --no-reboot, crashed) and of its events.
     */
    interface Listener {
        /** {@code id} is the domain id the VMM ran under, so a late report cannot stop its successor. */
        void exited(String name, int id, String reason);

        void event(String name, Map<String, Object> event);
    }

    /** One supervised VMM. */
    static final class Vmm {
        final ProcessHandle handle;
        final Process process;
        final Path control;
        final Path console;
        final Path input;
        volatile ControlClient client;
        volatile boolean expected;
        volatile boolean guestShutdown;
        volatile boolean rebootRequested;

        final int id;

        Vmm(int id, ProcessHandle handle, Process process, Path control, Path console, Path input) {
            this.id = id;
            this.handle = handle;
            this.process = process;
            this.control = control;
            this.console = console;
            this.input = input;
        }
    }

    private final Store store;
    private final List<String> command;
    private final Map<String, Vmm> vmms = new ConcurrentHashMap<>();
    /** VMM exits are handled here, off the process reaper's thread (the handler takes domain locks). */
    private static final Executor EXITS = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("vmm-exit").factory());
    volatile Listener listener;
    /** jvirt's virtual networks by name, for {@code <interface type='network'>}. */
    volatile Function<String, Optional<NetworkInfo>> networks = n -> Optional.empty();

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

    static List<String> runArguments(DomainXml def, Path control, List<String> nets) throws VirtException {
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
                "--console", "stdio", "--control", control.toString()));
        if (def.virtioConsole()) {
            a.addAll(List.of("--console-device", "hvc")); // <console><target type='virtio'/>: hvc0
        }
        a.addAll(Devices.storage(def));
        a.addAll(nets);
        if (!"restart".equals(def.onReboot())) {
            a.add("--no-reboot");
        }
        return a;
    }

    /**
     * The process: in its own session, its standard input the FIFO ROOT/run/NAME.in opened
     * read-write (so it never sees end-of-file, whoever writes to it comes and goes), its
     * standard output the console file, its standard error the log.
     */
    private List<String> processCommand(List<String> args, Path input) {
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            cmd.add("/usr/bin/setsid");
        }
        cmd.addAll(List.of("/bin/sh", "-c", "rm -f \"$0\" && mkfifo -m 600 \"$0\" && exec \"$@\" <>\"$0\"", input.toString()));
        cmd.addAll(command);
        cmd.addAll(args);
        return cmd;
    }

    @Override
    public void launch(String name, int id, DomainXml def) throws VirtException {
        Path run = store.runDir();
        Path control = run.resolve(name + ".ctl");
        Path console = run.resolve(name + ".console");
        Path input = run.resolve(name + ".in");
        Path log = run.resolve(name + ".log");
        List<Devices.Plug> plugs = Devices.check(def, networks);
        runArguments(def, control, List.of()); // every check before the host changes
        List<String> created = new ArrayList<>();
        Vmm vmm = null;
        try {
            store.put("run/" + name + ".xml", def.toString());
            new RunRecord(id, 0, 0, control, console, input, List.of()).save(store, name);
            // Each TAP goes into the record as soon as it exists, for whoever cleans up after a kill.
            List<String> nets = Devices.plug(name, plugs, created,
                    () -> new RunRecord(id, 0, 0, control, console, input, List.copyOf(created)).save(store, name));
            List<String> cmd = processCommand(runArguments(def, control, nets), input);
            RunRecord rec = new RunRecord(id, 0, 0, control, console, input, List.copyOf(created));
            Process p;
            try {
                Files.deleteIfExists(control);
                p = new ProcessBuilder(cmd).redirectInput(new File("/dev/null"))
                        .redirectOutput(ProcessBuilder.Redirect.to(console.toFile()))
                        .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            } catch (IOException e) {
                throw VirtException.internal("cannot start the VMM for '" + name + "' (" + String.join(" ", cmd) + "): " + e.getMessage());
            }
            vmm = new Vmm(id, p.toHandle(), p, control, console, input);
            rec.withProcess(p.toHandle()).save(store, name);
            vmm.client = connect(name, vmm, START_TIMEOUT_MS);
        } catch (VirtException e) {
            if (vmm != null) {
                vmm.expected = true;
                vmm.handle.destroyForcibly();
                awaitExit(vmm.handle, 5);
            }
            created.forEach(Taps::remove);
            cleanup(name);
            throw e;
        }
        vmms.put(name, vmm);
        watch(name, vmm);
    }

    private static void awaitExit(ProcessHandle h, int seconds) {
        try {
            h.onExit().get(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "VMM pid " + h.pid() + " did not exit within " + seconds + " s");
        }
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
        vmm.handle.onExit().thenRunAsync(() -> {
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
            if (reason.equals("shutdown") && vmm.rebootRequested) {
                reason = "reboot";
            }
            cleanup(name);
            Listener l = listener;
            if (l != null) {
                l.exited(name, vmm.id, reason);
            }
        }, EXITS);
    }

    /** Removes what a VMM leaves in ROOT/run and the TAPs the daemon created for it. */
    void cleanup(String name) {
        try {
            RunRecord.load(store, name).ifPresent(r -> r.taps().forEach(Taps::remove));
            store.remove(RunRecord.path(name));
            store.remove("run/" + name + ".xml");
            Files.deleteIfExists(store.runDir().resolve(name + ".ctl"));
            Files.deleteIfExists(store.runDir().resolve(name + ".in"));
        } catch (VirtException | IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot clean up run files of '" + name + "': " + e.getMessage());
        }
    }

    /**
     * Re-adopts a VMM a previous daemon started (its run record names the process, see
     * {@link RunRecord}); it must answer on its control socket. A VMM that a killed daemon left
     * half-started and that does not answer within the start timeout is stopped, since no
     * client was ever told it runs. Returns its run state word and recorded id.
     */
    Optional<Adopted> adopt(String name) throws VirtException {
        Optional<RunRecord> rec = RunRecord.load(store, name);
        if (rec.isEmpty() || store.get("run/" + name + ".xml").isEmpty()) {
            rec.flatMap(RunRecord::process).ifPresent(h -> {
                h.destroyForcibly();
                awaitExit(h, 5);
            });
            cleanup(name);
            return Optional.empty();
        }
        RunRecord r = rec.get();
        Optional<ProcessHandle> h = r.process();
        if (h.isEmpty()) {
            cleanup(name);
            return Optional.empty();
        }
        Vmm vmm = new Vmm(r.id(), h.get(), null, r.control(), r.console(), r.input());
        try {
            vmm.client = connect(name, vmm, START_TIMEOUT_MS);
            Object st = vmm.client.execute("query-status");
            if (r.pid() == 0) {
                r.withProcess(h.get()).save(store, name);
            }
            vmms.put(name, vmm);
            watch(name, vmm);
            return Optional.of(new Adopted(r.id(), st instanceof Map<?, ?> s ? String.valueOf(s.get("status")) : "running"));
        } catch (VirtException e) {
            LOG.log(System.Logger.Level.WARNING, "VMM of '" + name + "' (pid " + h.get().pid() + ") does not answer; stopping it: "
                    + e.getMessage());
            if (vmm.client != null) {
                vmm.client.close();
            }
            h.get().destroyForcibly();
            awaitExit(h.get(), 5);
            cleanup(name);
            return Optional.empty();
        }
    }

    /** A re-adopted VMM: the domain's id and its QMP run state ("running", "paused"). */
    record Adopted(int id, String status) {
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
                awaitExit(v.handle, 5);
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

    /**
     * libvirt's ACPI reboot for QEMU (qemuDomainReboot with a fake-reboot flag): press the power
     * button and, when the guest has powered off, start it again instead of applying on_poweroff.
     * The guest decides; one that ignores the button keeps running, as with virsh reboot.
     */
    @Override
    public boolean reboot(String name) throws VirtException {
        Vmm v = vmm(name);
        v.rebootRequested = true;
        try {
            v.client.execute("system_powerdown");
        } catch (VirtException e) {
            v.rebootRequested = false;
            throw e;
        }
        return false;
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

    /** The FIFO the VMM reads its serial console input from. */
    @Override
    public Path consoleInput(String name) throws VirtException {
        return vmm(name).input;
    }
}
