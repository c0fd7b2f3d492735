package io.jvirt.manager.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.manager.Connection;
import io.jvirt.manager.DomainInfo;
import io.jvirt.manager.DomainState;
import io.jvirt.manager.VirtException;
import io.jvirt.manager.store.Store;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon end to end: real VMM processes (the {@link StandInVmm} until jvirt run is on
 * main) supervised over their real control sockets, the REST API through {@link RestClient},
 * daemon restarts that re-adopt running VMs, lifecycle policies and autostart.
 */
class DaemonTest {

    @TempDir
    Path dir;

    private final List<Daemon> daemons = new ArrayList<>();
    private final List<Long> pids = new ArrayList<>();

    static String xml(String name, String uuidTail, String onPoweroff) {
        return "<domain type='kvm'><name>" + name + "</name><uuid>00000000-0000-0000-0000-" + uuidTail + "</uuid>"
                + "<memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type>hvm</type><kernel>/boot/vmlinuz</kernel>"
                + "<cmdline>console=ttyS0</cmdline></os><on_poweroff>" + onPoweroff + "</on_poweroff></domain>";
    }

    Daemon daemon(Store store) throws VirtException {
        List<String> vmm = List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                System.getProperty("java.class.path"), StandInVmm.class.getName());
        Daemon d = Daemon.start(store, "jvirt:///session", vmm);
        daemons.add(d);
        return d;
    }

    static DomainInfo await(Connection c, String name, Predicate<DomainInfo> p) throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        DomainInfo i = c.domain(name);
        while (!p.test(i)) {
            assertTrue(System.currentTimeMillis() < deadline, "timed out waiting on " + name + ": " + i);
            Thread.sleep(50);
            i = c.domain(name);
        }
        return i;
    }

    long pid(Store store, String name) throws Exception {
        String rec = Files.readString(store.root().resolve("run/" + name + ".json"));
        long pid = Long.parseLong(rec.replaceAll("(?s).*\"pid\": (\\d+).*", "$1"));
        pids.add(pid);
        return pid;
    }

    @AfterEach
    void stop() throws Exception {
        daemons.forEach(Daemon::close);
        Store store = new Store(dir.resolve("store"));
        for (String n : store.list("run", ".json")) {
            pid(store, n);
        }
        for (long p : pids) {
            ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void lifecycleSurvivesDaemonRestart() throws Exception {
        Store store = new Store(dir.resolve("store"));
        Daemon d1 = daemon(store);
        Connection c = new RestClient("jvirt:///session", store.socket());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.socket())));
        c.define(xml("vm1", "000000000001", "destroy"), "vm1.xml");
        assertTrue(Files.readString(store.root().resolve("domains/vm1.xml")).contains("<name>vm1</name>"));
        c.start("vm1");
        DomainInfo i = c.domain("vm1");
        assertEquals(DomainState.RUNNING, i.state());
        assertEquals(1, i.id());
        assertTrue(i.cpuTimeNanos() > 0, "CPU time comes from the VMM process");
        long pid = pid(store, "vm1");
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        VirtException again = assertThrows(VirtException.class, () -> c.start("vm1"));
        assertEquals(VirtException.Code.INVALID_OPERATION, again.code());
        c.suspend("vm1");
        assertEquals(DomainState.PAUSED, c.domain("vm1").state());

        // Stopping the daemon leaves the VM alone; a new daemon re-adopts it, paused as it was.
        d1.close();
        Thread.sleep(200);
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "VMM died with the daemon");
        daemon(store);
        i = c.domain("vm1");
        assertEquals(DomainState.PAUSED, i.state());
        assertEquals(1, i.id());
        c.resume("vm1");
        assertEquals(DomainState.RUNNING, c.domain("vm1").state());

        // The guest powers off on the ACPI button; on_poweroff=destroy leaves it shut off.
        c.shutdown("vm1");
        i = await(c, "vm1", x -> x.state() == DomainState.SHUTOFF);
        assertEquals("shutdown", i.reason());
        assertTrue(ProcessHandle.of(pid).map(h -> h.onExit().orTimeout(5, TimeUnit.SECONDS).isDone() || !h.isAlive()).orElse(true));
        assertFalse(Files.exists(store.root().resolve("run/vm1.json")));

        // on_poweroff=restart brings it back with a new id; destroy stops it for good.
        c.define(xml("vm2", "000000000002", "restart"), "vm2.xml");
        c.start("vm2");
        int first = c.domain("vm2").id();
        c.shutdown("vm2");
        i = await(c, "vm2", x -> x.state() == DomainState.RUNNING && x.id() != first);
        pid(store, "vm2");
        c.destroy("vm2");
        i = c.domain("vm2");
        assertEquals(DomainState.SHUTOFF, i.state());
        assertEquals("destroyed", i.reason());

        // A VMM that dies with status 3 is a crash: on_crash=destroy leaves it shut off (crashed).
        c.define(xml("vm3", "000000000003", "restart").replace("console=ttyS0", "console=ttyS0 standin=crash"), "vm3.xml");
        c.start("vm3");
        pid(store, "vm3");
        c.shutdown("vm3");
        i = await(c, "vm3", x -> x.state() == DomainState.SHUTOFF);
        assertEquals("crashed", i.reason());
    }

    @Test
    void autostartAndErrorsOverRest() throws Exception {
        Store store = new Store(dir.resolve("store"));
        Daemon d1 = daemon(store);
        Connection c = new RestClient("jvirt:///session", store.socket());
        c.define(xml("auto", "0000000000aa", "destroy"), "auto.xml");
        c.setAutostart("auto", true);
        assertTrue(Files.exists(store.root().resolve("domains/auto.autostart")));
        VirtException dup = assertThrows(VirtException.class, () -> c.define(xml("other", "0000000000aa", "destroy"), "o.xml"));
        assertEquals("operation failed: domain 'auto' is already defined with uuid 00000000-0000-0000-0000-0000000000aa",
                dup.getMessage());
        VirtException missing = assertThrows(VirtException.class, () -> c.domain("nosuch"));
        assertEquals(VirtException.Code.NO_DOMAIN, missing.code());
        VirtException bad = assertThrows(VirtException.class, () -> c.define("<domain type='kvm'><name>x</name", "x.xml"));
        assertEquals(VirtException.Code.XML, bad.code());
        assertEquals(List.of("auto"), c.listDomains().stream().map(DomainInfo::name).toList());
        d1.close();
        daemon(store);
        DomainInfo i = await(c, "auto", x -> x.state() == DomainState.RUNNING);
        assertTrue(i.autostart());
        pid(store, "auto");
        c.destroy("auto");
    }

    @Test
    void eventStreamOverWebSocket() throws Exception {
        Store store = new Store(dir.resolve("store"));
        daemon(store);
        Connection c = new RestClient("jvirt:///session", store.socket());
        List<io.jvirt.manager.DomainEvent> viaClient = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (AutoCloseable sub = c.subscribe(viaClient::add);
             SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(store.socket()));
            ch.write(ByteBuffer.wrap(("GET /v1/events HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1)));
            InputStream in = new BufferedInputStream(Channels.newInputStream(ch));
            assertEquals("HTTP/1.1 101 Switching Protocols", Http.readLine(in, 1000));
            String line;
            boolean accept = false;
            while (!(line = Http.readLine(in, 1000)).isEmpty()) {
                // RFC 6455 section 1.3's worked example.
                accept |= line.equals("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
            }
            assertTrue(accept);
            c.define(xml("ev", "0000000000ee", "destroy"), "ev.xml");
            c.start("ev");
            pid(store, "ev");
            c.destroy("ev");
            List<String> got = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                int b0 = in.read();
                int len = in.read();
                assertEquals(0x81, b0, "unmasked final text frame");
                got.add(new String(in.readNBytes(len), StandardCharsets.UTF_8));
            }
            assertTrue(got.get(0).contains("\"domain\": \"ev\", \"event\": \"defined\""), got.toString());
            assertTrue(got.get(1).contains("\"event\": \"started\", \"detail\": \"booted\""), got.toString());
            assertTrue(got.get(2).contains("\"event\": \"stopped\", \"detail\": \"destroyed\""), got.toString());
            long deadline = System.currentTimeMillis() + 5000;
            while (viaClient.size() < 3 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(List.of("defined", "started", "stopped"),
                    viaClient.stream().map(io.jvirt.manager.DomainEvent::type).toList());
        }
    }

    @Test
    void consoleCarriesInputAndOutputThroughTheApi() throws Exception {
        Store store = new Store(dir.resolve("store"));
        daemon(store);
        Connection c = new RestClient("jvirt:///session", store.socket());
        c.define(xml("con", "0000000000c0", "destroy"), "con.xml");
        c.start("con");
        pid(store, "con");
        try (io.jvirt.manager.ConsoleSession s = c.openConsole("con")) {
            s.toGuest().write("hello guest\n".getBytes(StandardCharsets.UTF_8));
            s.toGuest().flush();
            String seen = readUntil(s.fromGuest(), "echo: hello guest\n");
            assertTrue(seen.startsWith("stand-in VMM: run "), seen);
        }
        // A second session works too (the FIFO has no end-of-file between writers).
        try (io.jvirt.manager.ConsoleSession s = c.openConsole("con")) {
            s.toGuest().write("again\n".getBytes(StandardCharsets.UTF_8));
            readUntil(s.fromGuest(), "echo: again\n");
            // Destroying the domain ends the session's output.
            c.destroy("con");
            byte[] rest = s.fromGuest().readAllBytes();
            assertTrue(rest.length < 4096, "output ended");
        }
        VirtException off = assertThrows(VirtException.class, () -> c.openConsole("con"));
        assertEquals("Requested operation is not valid: The domain is not running", off.getMessage());
    }

    static String readUntil(InputStream in, String want) throws Exception {
        StringBuilder sb = new StringBuilder();
        long deadline = System.currentTimeMillis() + 20_000;
        while (!sb.toString().contains(want)) {
            assertTrue(System.currentTimeMillis() < deadline, "never saw '" + want + "': " + sb);
            int b = in.read();
            assertTrue(b >= 0, "console ended before '" + want + "': " + sb);
            sb.append((char) b);
        }
        return sb.toString();
    }

    @Test
    void rebootAsksTheGuestAndStartsItAgainWithTheSameId() throws Exception {
        Store store = new Store(dir.resolve("store"));
        daemon(store);
        Connection c = new RestClient("jvirt:///session", store.socket());
        List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (AutoCloseable sub = c.subscribe(e -> events.add(e.type() + "/" + e.detail()))) {
            c.define(xml("rb", "0000000000bb", "destroy"), "rb.xml");
            c.start("rb");
            int id = c.domain("rb").id();
            long first = pid(store, "rb");
            c.reboot("rb");
            // The stand-in powers off on the ACPI button; the daemon boots it again instead of
            // applying on_poweroff=destroy, keeping the id (libvirt's fake reboot).
            await(c, "rb", x -> {
                try {
                    // pid 0 is the pending record written before the new VMM is spawned
                    long now = pid(store, "rb");
                    return x.state() == DomainState.RUNNING && now != first && now != 0;
                } catch (Exception e) {
                    return false;
                }
            });
            assertEquals(id, c.domain("rb").id());
            assertTrue(ProcessHandle.of(first).map(h -> !h.isAlive()).orElse(true));
            // Snapshots of a running domain are refused with the fix, and nothing is recorded.
            VirtException snap = assertThrows(VirtException.class, () -> c.createSnapshot("rb", "s1", null));
            assertEquals("unsupported configuration: internal snapshots of running domain 'rb' need the VMM to save its"
                    + " memory and devices, which jvirt cannot do yet; shut it off first ('jvirt shutdown rb'), then snapshot",
                    snap.getMessage());
            assertEquals(List.of(), c.listSnapshots("rb"));
            // reset stays a hard reset of the same VMM.
            long second = pid(store, "rb");
            c.reset("rb");
            assertEquals(second, pid(store, "rb"));
            c.destroy("rb");
            long deadline = System.currentTimeMillis() + 5000;
            while (!events.contains("stopped/destroyed") && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(events.contains("rebooted/reset"), events.toString());
            assertEquals(1, events.stream().filter(e -> e.startsWith("started/")).count(), events.toString());
        }
    }

    @Test
    void aVmmSlowToStartHoldsUpOnlyItsOwnDomain() throws Exception {
        Store store = new Store(dir.resolve("store"));
        daemon(store);
        Connection c = new RestClient("jvirt:///session", store.socket());
        Path gate = dir.resolve("gate");
        c.define(xml("slow", "0000000000a1", "destroy").replace("console=ttyS0", "console=ttyS0 standin=wait:" + gate), "s.xml");
        c.define(xml("fast", "0000000000a2", "destroy"), "f.xml");
        java.util.concurrent.CompletableFuture<Void> slow = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                c.start("slow");
            } catch (VirtException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        // The slow VMM runs (its record has a pid) but has not opened its control socket.
        long deadline = System.currentTimeMillis() + 20_000;
        while (!Files.exists(store.root().resolve("run/slow.json")) || pid(store, "slow") == 0) {
            assertTrue(System.currentTimeMillis() < deadline, "the slow VMM never started");
            Thread.sleep(20);
        }
        // Meanwhile the daemon answers, and another domain starts and stops.
        c.start("fast");
        pid(store, "fast");
        assertEquals(DomainState.RUNNING, c.domain("fast").state());
        assertEquals(DomainState.SHUTOFF, c.domain("slow").state());
        assertEquals(2, c.listDomains().size());
        c.destroy("fast");
        assertFalse(slow.isDone(), "the slow start returned before its VMM was ready");
        Files.createFile(gate);
        slow.get(30, TimeUnit.SECONDS);
        assertEquals(DomainState.RUNNING, c.domain("slow").state());
        c.destroy("slow");
    }
}
