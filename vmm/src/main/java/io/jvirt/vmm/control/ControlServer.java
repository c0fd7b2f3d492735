package io.jvirt.vmm.control;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * The VMM's control socket: a JSON protocol in the style of QEMU's QMP (see CONTROL.md beside
 * this file) on a unix socket readable only by its owner. Every client gets a greeting, must
 * negotiate with {@code qmp_capabilities}, then may execute commands and receives events.
 */
public final class ControlServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ControlServer.class.getName());
    /** Longest accepted request line; a client sending more is disconnected. */
    static final int MAX_LINE = 64 * 1024;
    static final List<String> COMMANDS = List.of("qmp_capabilities", "query-status", "query-commands",
            "stop", "cont", "system_powerdown", "system_reset", "quit");

    private final Path path;
    private final ServerSocketChannel server;
    private final ControlTarget target;
    private final Set<Client> clients = new CopyOnWriteArraySet<>();
    private volatile boolean closed;

    private ControlServer(Path path, ServerSocketChannel server, ControlTarget target) {
        this.path = path;
        this.server = server;
        this.target = target;
    }

    /**
     * Binds {@code socket} (mode 0600; a stale socket file left by a dead VMM is replaced) and
     * starts accepting clients on a daemon thread.
     */
    public static ControlServer start(Path socket, ControlTarget target) throws IOException {
        if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            if (Files.isRegularFile(socket, LinkOption.NOFOLLOW_LINKS) || Files.isDirectory(socket, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("control socket path " + socket + " exists and is not a socket; remove it or choose another --control path");
            }
            Files.delete(socket);
        }
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(socket));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot listen on control socket " + socket + ": " + e.getMessage(), e);
        }
        ControlServer s = new ControlServer(socket, ch, target);
        Thread.ofPlatform().daemon().name("control-accept").start(s::acceptLoop);
        return s;
    }

    public Path path() {
        return path;
    }

    /** Sends an event (QMP's {"event", "data", "timestamp"}) to every negotiated client. */
    public void emit(String event, Map<String, Object> data) {
        long now = System.currentTimeMillis();
        Map<String, Object> ts = new LinkedHashMap<>();
        ts.put("seconds", now / 1000);
        ts.put("microseconds", (now % 1000) * 1000);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", event);
        m.put("data", data == null ? Map.of() : data);
        m.put("timestamp", ts);
        String line = Json.write(m);
        for (Client c : clients) {
            if (c.negotiated) {
                c.send(line);
            }
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel c = server.accept();
                Client client = new Client(c);
                clients.add(client);
                Thread.ofVirtual().name("control-client").start(client::serve);
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, "control socket " + path + ": accept failed: " + e.getMessage());
                }
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing " + path + ": " + e.getMessage());
        }
        clients.forEach(Client::close);
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "removing " + path + ": " + e.getMessage());
        }
    }

    /** One connection: reads request lines, answers each in order. */
    private final class Client {
        private final SocketChannel ch;
        volatile boolean negotiated;
        boolean quitAfterReply;

        Client(SocketChannel ch) {
            this.ch = ch;
        }

        void serve() {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8))) {
                send(Json.write(Map.of("QMP", Map.of("version", Map.of("jvirt", Map.of("major", 0, "minor", 1)),
                        "capabilities", List.of()))));
                while (true) {
                    String line = readLine(in);
                    if (line == null) {
                        break;
                    }
                    if (line.isBlank()) {
                        continue;
                    }
                    Map<String, Object> reply = Protocol.handle(line, this, target);
                    send(Json.write(reply));
                    if (quitAfterReply) {
                        target.quit();
                        break;
                    }
                }
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "control client on " + path + ": " + e.getMessage());
            } finally {
                close();
            }
        }

        private String readLine(BufferedReader in) throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    return sb.toString();
                }
                if (sb.length() >= MAX_LINE) {
                    send(Json.write(Protocol.error("GenericError", "request longer than " + MAX_LINE + " bytes; send one JSON object per line")));
                    return null;
                }
                sb.append((char) c);
            }
            return sb.isEmpty() ? null : sb.toString();
        }

        synchronized void send(String line) {
            try {
                ByteBuffer b = ByteBuffer.wrap((line + "\r\n").getBytes(StandardCharsets.UTF_8));
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            } catch (IOException e) {
                close();
            }
        }

        void close() {
            clients.remove(this);
            try {
                ch.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing control client: " + e.getMessage());
            }
        }

        void negotiated() {
            negotiated = true;
        }

        ControlServer server() {
            return ControlServer.this;
        }
    }

    /** The command table, kept apart from the socket code. */
    private static final class Protocol {
        static Map<String, Object> error(String cls, String desc) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("error", Map.of("class", cls, "desc", desc));
            return m;
        }

        static Map<String, Object> handle(String line, Client c, ControlTarget t) {
            Map<String, Object> req;
            try {
                req = Json.parseObject(line);
            } catch (Json.JsonException e) {
                return error("GenericError", e.getMessage());
            }
            Object id = req.get("id");
            Map<String, Object> reply = dispatch(req, c, t);
            if (id != null) {
                reply.put("id", id);
            }
            return reply;
        }

        private static Map<String, Object> ok(Object value) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("return", value);
            return m;
        }

        private static Map<String, Object> dispatch(Map<String, Object> req, Client c, ControlTarget t) {
            if (!(req.get("execute") instanceof String cmd)) {
                return error("GenericError", "request has no \"execute\" string; send {\"execute\": \"COMMAND\"}");
            }
            if (!c.negotiated && !cmd.equals("qmp_capabilities")) {
                return error("CommandNotFound", "Expecting capabilities negotiation with 'qmp_capabilities'");
            }
            ControlServer s = c.server();
            try {
                switch (cmd) {
                    case "qmp_capabilities" -> {
                        if (c.negotiated) {
                            return error("CommandNotFound", "Capabilities negotiation is already complete, command ignored");
                        }
                        c.negotiated();
                        return ok(Map.of());
                    }
                    case "query-status" -> {
                        ControlTarget.RunState st = t.state();
                        return ok(Map.of("status", st.word(), "running", st == ControlTarget.RunState.RUNNING));
                    }
                    case "query-commands" -> {
                        return ok(COMMANDS.stream().map(n -> Map.of("name", n)).toList());
                    }
                    case "stop" -> {
                        t.stop();
                        s.emit("STOP", Map.of());
                        return ok(Map.of());
                    }
                    case "cont" -> {
                        t.cont();
                        s.emit("RESUME", Map.of());
                        return ok(Map.of());
                    }
                    case "system_powerdown" -> {
                        t.powerdown();
                        s.emit("POWERDOWN", Map.of());
                        return ok(Map.of());
                    }
                    case "system_reset" -> {
                        t.reset();
                        s.emit("RESET", Map.of("guest", false, "reason", "host-qmp-system-reset"));
                        return ok(Map.of());
                    }
                    case "quit" -> {
                        s.emit("SHUTDOWN", Map.of("guest", false, "reason", "host-qmp-quit"));
                        c.quitAfterReply = true;
                        return ok(Map.of());
                    }
                    default -> {
                        return error("CommandNotFound", "The command " + cmd + " has not been found");
                    }
                }
            } catch (RuntimeException e) {
                return error("GenericError", cmd + " failed: " + e.getMessage());
            }
        }
    }
}
