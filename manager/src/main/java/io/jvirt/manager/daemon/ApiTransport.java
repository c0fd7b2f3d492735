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
 * call, plus the two long-lived streams (the console upgrade and the event WebSocket).
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

    /** The console at {@code path} through an HTTP upgrade to a raw byte stream (API.md). */
    io.jvirt.manager.ConsoleSession console(String path) throws VirtException {
        try {
            Conn c = open();
            c.out().write(("GET " + path + " HTTP/1.1\r\nHost: jvirtd\r\n" + auth()
                    + "Upgrade: jvirt-console\r\nConnection: Upgrade\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            c.out().flush();
            String status = Http.readLine(c.in(), Http.MAX_HEAD);
            int code = status == null || status.split(" ").length < 2 ? -1 : Integer.parseInt(status.split(" ")[1]);
            int len = -1;
            String line;
            while ((line = Http.readLine(c.in(), Http.MAX_HEAD)) != null && !line.isEmpty()) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    len = Integer.parseInt(line.substring(15).trim());
                }
            }
            if (code != 101) {
                String body = len >= 0 ? new String(c.in().readNBytes(len), StandardCharsets.UTF_8) : "";
                c.close();
                decode(new Reply(code, body));
                throw VirtException.internal("the jvirt daemon answered the console request with " + status);
            }
            return new io.jvirt.manager.ConsoleSession() {
                @Override
                public InputStream fromGuest() {
                    return c.in();
                }

                @Override
                public java.io.OutputStream toGuest() {
                    return c.out();
                }

                @Override
                public void close() throws IOException {
                    c.close();
                }
            };
        } catch (IOException e) {
            throw new VirtException(VirtException.Code.SYSTEM, "cannot open the console on " + where() + ": " + e.getMessage());
        }
    }

    /** Opens the daemon's WebSocket event stream (/v1/events) and feeds it to {@code listener}. */
    AutoCloseable events(java.util.function.Consumer<io.jvirt.manager.DomainEvent> listener) throws VirtException {
        try {
            Conn ch = open();
            byte[] key = new byte[16];
            new java.security.SecureRandom().nextBytes(key);
            String k = java.util.Base64.getEncoder().encodeToString(key);
            ch.out().write(("GET /v1/events HTTP/1.1\r\nHost: jvirtd\r\nUpgrade: websocket\r\n" + auth()
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: " + k + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            ch.out().flush();
            InputStream in = ch.in();
            String status = Http.readLine(in, Http.MAX_HEAD);
            if (status == null || !status.startsWith("HTTP/1.1 101")) {
                ch.close();
                throw VirtException.internal("the jvirt daemon refused the event stream: " + status);
            }
            String line;
            while ((line = Http.readLine(in, Http.MAX_HEAD)) != null && !line.isEmpty()) {
                // Handshake headers; the accept key is checked by the server side's tests.
            }
            Thread.ofPlatform().daemon().name("jvirt-events").start(() -> {
                try {
                    while (true) {
                        int b0 = in.read();
                        int b1 = in.read();
                        if (b0 < 0 || b1 < 0 || (b0 & 0x0f) == 0x8) {
                            return;
                        }
                        long len = b1 & 0x7f;
                        if (len == 126) {
                            len = (in.read() << 8) | in.read();
                        } else if (len == 127) {
                            len = 0;
                            for (int i = 0; i < 8; i++) {
                                len = (len << 8) | in.read();
                            }
                        }
                        String text = new String(in.readNBytes((int) len), StandardCharsets.UTF_8);
                        Map<String, Object> m = Json.parseObject(text);
                        listener.accept(new io.jvirt.manager.DomainEvent(Codec.l(m, "time"), Codec.s(m, "domain"),
                                Codec.s(m, "event"), Codec.s(m, "detail")));
                    }
                } catch (IOException | RuntimeException e) {
                    // Stream closed: the subscription ends.
                }
            });
            return ch::close;
        } catch (IOException e) {
            throw new VirtException(VirtException.Code.SYSTEM, "cannot open the event stream on " + where() + ": " + e.getMessage());
        }
    }
}
