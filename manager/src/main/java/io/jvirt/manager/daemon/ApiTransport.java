package io.jvirt.manager.daemon;

import io.jvirt.manager.VirtException;
import io.jvirt.vmm.control.Json;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * How {@link RestClient} reaches the daemon: HTTP/1.1 on its unix socket, or on TCP with TLS
 * (the certificate checked against the host name) and the bearer token; one connection per
 * call, plus the two long-lived WebSockets (the console and the event stream; {@link WsClient}).
 */
final class ApiTransport {

    private final Path socket;
    private final java.net.InetSocketAddress tcp;
    private final javax.net.ssl.SSLContext tls;
    private final String token;

    ApiTransport(Path socket, java.net.InetSocketAddress tcp, javax.net.ssl.SSLContext tls, String token) {
        this.socket = socket;
        this.tcp = tcp;
        this.tls = tls;
        this.token = token;
    }

    /** One connection's two streams. */
    record Conn(InputStream in, java.io.OutputStream out, java.io.Closeable closer) implements java.io.Closeable {
        @Override
        public void close() throws IOException {
            closer.close();
        }
    }

    String where() {
        return socket != null ? socket.toString() : tcp.getHostString() + ":" + tcp.getPort();
    }

    Conn open() throws IOException {
        if (socket != null) {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                ch.close();
                throw e;
            }
            return new Conn(new BufferedInputStream(Channels.newInputStream(ch)), Channels.newOutputStream(ch), ch);
        }
        javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket();
        try {
            s.connect(new java.net.InetSocketAddress(tcp.getHostString(), tcp.getPort()), 10_000);
            javax.net.ssl.SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS"); // RFC 2818: the certificate must name the host
            s.setSSLParameters(p);
            s.startHandshake();
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return new Conn(new BufferedInputStream(s.getInputStream()), s.getOutputStream(), s);
    }

    String auth() {
        return token == null ? "" : "Authorization: Bearer " + token + "\r\n";
    }

    record Reply(int status, String body) {
    }

    Reply call(String method, String path, String contentType, String body) throws VirtException {
        byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        String head = method + " " + path + " HTTP/1.1\r\nHost: jvirtd\r\nConnection: close\r\n" + auth()
                + (body == null ? "" : "Content-Type: " + contentType + "\r\n")
                + "Content-Length: " + b.length + "\r\n\r\n";
        try (Conn c = open()) {
            c.out().write(head.getBytes(StandardCharsets.ISO_8859_1));
            c.out().write(b);
            c.out().flush();
            InputStream in = c.in();
            String status = Http.readLine(in, Http.MAX_HEAD);
            if (status == null || status.split(" ").length < 2) {
                throw VirtException.internal("the jvirt daemon on " + where() + " closed the connection without a reply");
            }
            int code = Integer.parseInt(status.split(" ")[1]);
            int len = -1;
            String line;
            while ((line = Http.readLine(in, Http.MAX_HEAD)) != null && !line.isEmpty()) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    len = Integer.parseInt(line.substring(15).trim());
                }
            }
            byte[] resp = len >= 0 ? in.readNBytes(len) : in.readAllBytes();
            return new Reply(code, new String(resp, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new VirtException(VirtException.Code.SYSTEM, "cannot talk to the jvirt daemon on " + where() + ": "
                    + e.getMessage() + (socket != null ? "; start it with 'jvirt daemon'"
                    : "; check the host and port, that the daemon runs with --listen, and the CA file (ca=PATH)"));
        }
    }

    static Object decode(Reply r) throws VirtException {
        if (r.status() >= 400) {
            Map<String, Object> e;
            try {
                e = Json.parseObject(r.body());
            } catch (Json.JsonException ex) {
                throw VirtException.internal("daemon answered " + r.status() + ": " + r.body());
            }
            VirtException.Code code;
            try {
                code = VirtException.Code.valueOf(String.valueOf(e.get("code")));
            } catch (IllegalArgumentException ex) {
                code = VirtException.Code.INTERNAL;
            }
            throw new VirtException(code, String.valueOf(e.get("message")));
        }
        return Json.parse(r.body());
    }

    /** The console at {@code path}: a WebSocket carrying binary frames both ways (API.md). */
    io.jvirt.manager.ConsoleSession console(String path) throws VirtException {
        try {
            return WsClient.open(this, path).console();
        } catch (IOException e) {
            throw new VirtException(VirtException.Code.SYSTEM, "cannot open the console on " + where() + ": " + e.getMessage());
        }
    }

    /** Opens the daemon's WebSocket event stream (/v1/events) and feeds it to {@code listener}. */
    AutoCloseable events(java.util.function.Consumer<io.jvirt.manager.DomainEvent> listener) throws VirtException {
        try {
            WsClient ws = WsClient.open(this, "/v1/events");
            Thread.ofPlatform().daemon().name("jvirt-events").start(() -> {
                try {
                    byte[] m;
                    while ((m = ws.receive()) != null) {
                        Map<String, Object> e = Json.parseObject(new String(m, StandardCharsets.UTF_8));
                        listener.accept(new io.jvirt.manager.DomainEvent(Codec.l(e, "time"), Codec.s(e, "domain"),
                                Codec.s(e, "event"), Codec.s(e, "detail")));
                    }
                } catch (IOException | RuntimeException e) {
                    // Stream closed: the subscription ends.
                }
            });
            return ws::close;
        } catch (IOException e) {
            throw new VirtException(VirtException.Code.SYSTEM, "cannot open the event stream on " + where() + ": " + e.getMessage());
        }
    }
}
