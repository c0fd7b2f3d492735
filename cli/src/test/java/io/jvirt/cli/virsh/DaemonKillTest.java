package io.jvirt.cli.virsh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvirt.manager.Connection;
import io.jvirt.manager.DomainInfo;
import io.jvirt.manager.SnapshotInfo;
import io.jvirt.manager.VirtException;
import io.jvirt.manager.daemon.RestClient;
import io.jvirt.vmm.control.Json;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The daemon SIGKILLed 100 times (with -Djvirt.test.slow=true as ./test and CI run it; 20
 * otherwise; -Djvirt.test.kills=N) at random points while two clients
 * define, start, destroy, suspend, snapshot, revert and delete snapshots of three domains (qcow2
 * disks, an autostart domain, cheap VMMs: {@code jvirt run} on the software CPU with a payload
 * that halts). After every restart: no acknowledged definition is lost or older than
 * acknowledged, every definition parses, every VMM process is adopted and matches a running
 * domain (at most one per domain, none orphaned), snapshot metadata names only internal
 * snapshots the disks have; at the end, qemu-img check finds no corruption. Seeded: the seed is
 * printed and -Djvirt.test.killSeed=S replays the schedule (timing still varies).
 */
class DaemonKillTest extends DaemonProcesses {

    private static final int DOMAINS = 3;
    private static final Pattern GEN = Pattern.compile("<description>gen (\\d+)</description>");

    private final Map<String, Integer> ackedGen = new ConcurrentHashMap<>();
    private final Set<String> ackedDefined = ConcurrentHashMap.newKeySet();
    /** Domains a revert was issued on since the last check: it brings back an older definition. */
    private final Set<String> reverted = ConcurrentHashMap.newKeySet();
    private int nextGen = 1;

    private Path root;
    private List<String> java;

    static String name(int i) {
        return "k" + i;
    }

    String xml(String name, int gen) {
        return "<domain type='qemu'><name>" + name + "</name><uuid>00000000-0000-4000-8000-00000000000"
                + name.charAt(1) + "</uuid><description>gen " + gen + "</description>"
                + "<memory unit='MiB'>16</memory><os><type>hvm</type><kernel>" + dir.resolve("spin.elf") + "</kernel></os>"
                + "<on_poweroff>destroy</on_poweroff><devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                + "<source file='" + dir.resolve(name + ".qcow2") + "'/><target dev='vda' bus='virtio'/></disk></devices></domain>";
    }

    Process daemon() throws Exception {
        List<String> cmd = new ArrayList<>(java);
        cmd.addAll(List.of("daemon", "--uri", "jvirt:///session", "--root", root.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(new File("/dev/null"))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("daemons.log").toFile())).redirectErrorStream(true);
        pb.environment().put("JVIRT_VMM_COMMAND", String.join(" ", java));
        return pb.start();
    }

    @Test
    void daemonKilledAtRandomPointsLosesNothing() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcc")), "gcc builds the guest; scripts/install-deps installs it");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-img")), "qemu-img checks the disks; install qemu-utils");
        spinGuest();
        root = dir.resolve("root");
        String jvm = ProcessHandle.current().info().command().orElseThrow();
        String cp = System.getProperty("java.class.path");
        assumeTrue(!cp.contains(" "), "the class path has a space, which JVIRT_VMM_COMMAND cannot carry");
        // Quick-starting JVMs: the daemon and the VMMs start hundreds of times.
        java = List.of(jvm, "--enable-native-access=ALL-UNNAMED", "-Xss8m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Xshare:auto", "-cp", cp, "io.jvirt.cli.Main");
        for (int i = 0; i < DOMAINS; i++) {
            ModularGuest.run(dir, "qemu-img", "create", "-q", "-f", "qcow2", dir.resolve(name(i) + ".qcow2").toString(), "1M");
        }
        // 100 in CI (./test sets jvirt.test.slow), fewer in a plain mvn verify.
        int kills = Integer.getInteger("jvirt.test.kills", Boolean.getBoolean("jvirt.test.slow") ? 100 : 20);
        long seed = Long.getLong("jvirt.test.killSeed", System.nanoTime());
        System.out.println("DaemonKillTest: " + kills + " kills, seed " + seed);
        Random rnd = new Random(seed);
        Connection c = new RestClient("jvirt:///session", root.resolve("run/jvirtd.sock"));
        Process d = null;
        try {
            for (int k = 0; k < kills; k++) {
                d = daemon();
                if (rnd.nextInt(8) == 0) {
                    // Killed while loading, re-adopting and autostarting.
                    Thread.sleep(rnd.nextInt(1500));
                    kill(d);
                    continue;
                }
                long t0 = System.nanoTime();
                awaitSocket(d);
                long t1 = System.nanoTime();
                check(c, k);
                long t2 = System.nanoTime();
                if (System.getProperty("jvirt.test.killTimes") != null) {
                    System.out.printf("round %d: daemon up %d ms, checks %d ms%n", k, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
                }
                List<Thread> clients = new ArrayList<>();
                for (int w = 0; w < 2; w++) {
                    long s = rnd.nextLong();
                    boolean defines = w == 0;
                    clients.add(Thread.ofPlatform().start(() -> work(c, new Random(s), defines)));
                }
                Thread.sleep(30 + rnd.nextInt(600));
                kill(d);
                for (Thread t : clients) {
                    t.join(60_000);
                    assertTrue(!t.isAlive(), "a client hung after the daemon died");
                }
            }
            d = daemon();
            awaitSocket(d);
            check(c, kills);
            for (DomainInfo i : c.listDomains()) {
                if (i.state().active()) {
                    c.destroy(i.name());
                }
            }
            for (int i = 0; i < DOMAINS; i++) {
                Process p = new ProcessBuilder("qemu-img", "check", dir.resolve(name(i) + ".qcow2").toString())
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                p.waitFor(60, TimeUnit.SECONDS);
                // 0: clean; 3: leaked clusters (a write interrupted by SIGKILL, harmless). 2 is corruption.
                assertTrue(p.exitValue() == 0 || p.exitValue() == 3, name(i) + ".qcow2: " + out);
            }
        } finally {
            if (d != null) {
                d.destroyForcibly();
            }
            for (ProcessHandle h : vmms().values().stream().flatMap(List::stream).toList()) {
                h.destroyForcibly();
            }
        }
    }

    void kill(Process d) throws Exception {
        d.destroyForcibly(); // SIGKILL
        assertTrue(d.waitFor(30, TimeUnit.SECONDS), "the daemon survived SIGKILL");
    }

    void awaitSocket(Process d) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!RestClient.alive(root.resolve("run/jvirtd.sock"))) {
            if (!d.isAlive()) {
                fail("the daemon exited with " + d.exitValue() + ": " + tail());
            }
            assertTrue(System.currentTimeMillis() < deadline, "the daemon did not open its socket: " + tail());
            Thread.sleep(50);
        }
    }

    String tail() throws Exception {
        List<String> l = Files.readAllLines(dir.resolve("daemons.log"));
        return String.join("\n", l.subList(Math.max(0, l.size() - 30), l.size()));
    }

    /**
     * One client: random operations until the daemon is gone. Only one client defines, so the
     * definitions it has had acknowledged are in order and the newest must survive.
     */
    void work(Connection c, Random rnd, boolean defines) {
        while (true) {
            String n = name(rnd.nextInt(DOMAINS));
            try {
                switch (defines ? rnd.nextInt(9) : 2 + rnd.nextInt(7)) {
                    case 0, 1 -> {
                        int gen;
                        synchronized (this) {
                            gen = nextGen++;
                        }
                        c.define(xml(n, gen), n + ".xml");
                        ackedDefined.add(n);
                        ackedGen.merge(n, gen, Math::max);
                    }
                    case 2 -> c.start(n);
                    case 3 -> c.destroy(n);
                    case 4 -> c.suspend(n);
                    case 5 -> c.setAutostart(n, rnd.nextInt(3) == 0);
                    case 6 -> c.createSnapshot(n, "s" + rnd.nextInt(6), null);
                    case 7 -> {
                        List<SnapshotInfo> s = c.listSnapshots(n);
                        if (!s.isEmpty()) {
                            c.deleteSnapshot(n, s.get(rnd.nextInt(s.size())).name());
                        }
                    }
                    default -> {
                        List<SnapshotInfo> s = c.listSnapshots(n);
                        if (!s.isEmpty()) {
                            reverted.add(n);
                            c.revertSnapshot(n, s.get(rnd.nextInt(s.size())).name());
                        }
                    }
                }
            } catch (VirtException e) {
                if (e.code() == VirtException.Code.SYSTEM) {
                    return; // the daemon is gone
                }
                assertTrue(Set.of(VirtException.Code.INVALID_OPERATION, VirtException.Code.OPERATION_FAILED,
                        VirtException.Code.NO_DOMAIN, VirtException.Code.UNSUPPORTED, VirtException.Code.NO_SNAPSHOT,
                        VirtException.Code.INTERNAL).contains(e.code()), e.getMessage());
            }
        }
    }

    /** VMM processes of this store by domain name (their --control ROOT/run/NAME.ctl). */
    Map<String, List<ProcessHandle>> vmms() {
        Map<String, List<ProcessHandle>> out = new TreeMap<>();
        String prefix = root.resolve("run").toString() + "/";
        ProcessHandle.allProcesses().filter(ProcessHandle::isAlive).forEach(h -> {
            String[] a = h.info().arguments().orElse(new String[0]);
            for (int i = 0; i + 1 < a.length; i++) {
                if (a[i].equals("--control") && a[i + 1].startsWith(prefix) && a[i + 1].endsWith(".ctl")) {
                    String n = a[i + 1].substring(prefix.length(), a[i + 1].length() - 4);
                    out.computeIfAbsent(n, x -> new ArrayList<>()).add(h);
                }
            }
        });
        return out;
    }

    void check(Connection c, int round) throws Exception {
        Map<String, DomainInfo> listed = new HashMap<>();
        c.listDomains().forEach(i -> listed.put(i.name(), i));
        // No acknowledged definition lost; every stored definition loaded.
        for (String n : ackedDefined) {
            assertTrue(listed.containsKey(n) && listed.get(n).persistent(), "round " + round + ": " + n + " lost: " + listed);
            if (reverted.remove(n)) {
                ackedGen.remove(n);
                continue;
            }
            Matcher m = GEN.matcher(c.dumpXml(n, true));
            assertTrue(m.find(), "round " + round + ": " + n + " has no generation");
            int acked = ackedGen.getOrDefault(n, 0);
            assertTrue(Integer.parseInt(m.group(1)) >= acked, "round " + round + ": " + n + " went back to gen "
                    + m.group(1) + " after gen " + acked + " was acknowledged");
        }
        try (var files = Files.list(root.resolve("domains"))) {
            long stored = files.filter(f -> f.toString().endsWith(".xml")).count();
            assertEquals(stored, listed.values().stream().filter(DomainInfo::persistent).count(),
                    "round " + round + ": a stored definition did not load: " + tail());
        }
        // Every VMM adopted: live VMM processes and running domains agree (the daemon may be
        // finishing a VMM that was quitting when its predecessor died, so allow it to settle).
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            Map<String, List<ProcessHandle>> procs = vmms();
            Set<String> running = new TreeSet<>();
            c.listDomains().stream().filter(i -> i.state().active()).forEach(i -> running.add(i.name()));
            boolean single = procs.values().stream().allMatch(l -> l.size() == 1);
            if (single && procs.keySet().equals(running)) {
                break;
            }
            assertTrue(System.currentTimeMillis() < deadline, "round " + round + ": VMM processes " + procs
                    + " but running domains " + running + "\n" + tail());
            Thread.sleep(50);
        }
        // Snapshot metadata names only snapshots the disks hold; the current one exists.
        for (String n : listed.keySet()) {
            Set<String> meta = new TreeSet<>();
            c.listSnapshots(n).forEach(s -> meta.add(s.name()));
            Set<String> disk = diskSnapshots(dir.resolve(n + ".qcow2"));
            assertTrue(disk.containsAll(meta), "round " + round + ": " + n + " metadata " + meta + " but disk " + disk);
            c.currentSnapshot(n).ifPresent(s -> assertTrue(meta.contains(s.name()), "current " + s.name() + " of " + n));
        }
    }

    static Set<String> diskSnapshots(Path image) throws Exception {
        Process p = new ProcessBuilder("qemu-img", "info", "-U", "--output=json", image.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "qemu-img info " + image + ": " + out);
        Set<String> names = new TreeSet<>();
        if (Json.parseObject(out).get("snapshots") instanceof List<?> l) {
            for (Object s : l) {
                names.add(String.valueOf(((Map<?, ?>) s).get("name")));
            }
        }
        return names;
    }
}
