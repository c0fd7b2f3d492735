package io.jvirt.vmm.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Talks to a real ControlServer over a real unix socket, as the daemon (or socat) would. */
class ControlServerTest {

    @TempDir
    Path dir;

    /** A machine stand-in that records the calls the protocol makes. */
    static final class Recorder implements ControlTarget {
        volatile RunState state = RunState.RUNNING;
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override public RunState state() {
            return state;
        }
        @Override public void stop() {
            calls.add("stop");
            state = RunState.PAUSED;
        }
        @Override public void cont() {
            calls.add("cont");
            state = RunState.RUNNING;
        }
        @Override public void powerdown() {
            calls.add("powerdown");
        }
        @Override public void reset() {
            calls.add("reset");
        }
        @Override public void quit() {
            calls.add("quit");
            state = RunState.SHUTDOWN;
        }
    }

    static final class Peer implements AutoCloseable {
        final SocketChannel ch;
        final BufferedReader in;

        Peer(Path p) throws IOException {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(p));
            in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
        }

        void send(String s) throws IOException {
            ch.write(ByteBuffer.wrap((s + "\n").getBytes(StandardCharsets.UTF_8)));
        }

        Map<String, Object> read() throws IOException {
            String l = in.readLine();
            return l == null ? null : Json.parseObject(l);
        }

        /** Reads until a reply (skipping events, which are returned through {@code events}). */
        Map<String, Object> reply(List<Map<String, Object>> events) throws IOException {
            while (true) {
                Map<String, Object> m = read();
                if (m == null || !m.containsKey("event")) {
                    return m;
                }
                events.add(m);
            }
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }

    @Test
    void qmpSessionDrivesTheTarget() throws Exception {
        Recorder r = new Recorder();
        Path sock = dir.resolve("vm.ctl");
        try (ControlServer s = ControlServer.start(sock, r); Peer p = new Peer(sock)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
            assertTrue(p.read().containsKey("QMP"));
            List<Map<String, Object>> events = new CopyOnWriteArrayList<>();
            p.send("{\"execute\": \"query-status\"}");
            assertEquals("CommandNotFound", ((Map<?, ?>) p.reply(events).get("error")).get("class"));
            p.send("{\"execute\": \"qmp_capabilities\", \"id\": 1}");
            assertEquals(Map.of("return", Map.of(), "id", 1L), p.reply(events));
            p.send("{\"execute\": \"query-status\", \"id\": \"a\"}");
            assertEquals(Map.of("status", "running", "running", true), p.reply(events).get("return"));
            p.send("{\"execute\": \"stop\"}");
            p.reply(events);
            p.send("{\"execute\": \"query-status\"}");
            assertEquals(Map.of("status", "paused", "running", false), p.reply(events).get("return"));
            p.send("{\"execute\": \"cont\"}");
            p.reply(events);
            p.send("{\"execute\": \"system_powerdown\"}");
            p.reply(events);
            p.send("{\"execute\": \"system_reset\"}");
            p.reply(events);
            s.emit("SHUTDOWN", Map.of("guest", true, "reason", "guest-shutdown"));
            p.send("{\"execute\": \"bogus\"}");
            Map<String, Object> err = p.reply(events);
            assertEquals("CommandNotFound", ((Map<?, ?>) err.get("error")).get("class"));
            p.send("{not json");
            assertEquals("GenericError", ((Map<?, ?>) p.reply(events).get("error")).get("class"));
            p.send("{\"execute\": \"quit\"}");
            assertEquals(Map.of(), p.reply(events).get("return"));
            assertEquals(null, p.reply(events), "the server closes the connection after quit");
            assertEquals(List.of("STOP", "RESUME", "POWERDOWN", "RESET", "SHUTDOWN", "SHUTDOWN"),
                    events.stream().map(e -> e.get("event")).toList());
            assertEquals(Map.of("guest", true, "reason", "guest-shutdown"), events.get(4).get("data"));
            assertEquals(List.of("stop", "cont", "powerdown", "reset", "quit"), r.calls);
        }
        assertFalse(Files.exists(sock), "close removes the socket file");
    }

    @Test
    void refusesToReplaceARegularFile() throws Exception {
        Path f = Files.writeString(dir.resolve("not-a-socket"), "data");
        var e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> ControlServer.start(f, new Recorder()));
        assertTrue(e.getMessage().contains("is not a socket"), e.getMessage());
        assertEquals("data", Files.readString(f));
    }

    @Test
    void jsonRoundTripAndHostileInput() {
        Object v = Json.parse("{\"a\": [1, -2.5, true, null, \"x\\n\\u0041\"], \"b\": {}}");
        assertEquals("{\"a\": [1, -2.5, true, null, \"x\\nA\"], \"b\": {}}", Json.write(v));
        for (String bad : List.of("", "{", "[1,]", "{\"a\" 1}", "\"\u0001\"", "[".repeat(100) + "]".repeat(100), "01x")) {
            org.junit.jupiter.api.Assertions.assertThrows(Json.JsonException.class, () -> Json.parse(bad), bad);
        }
    }
}
