package io.jvirt.manager.daemon;

import io.jvirt.manager.Connection;
import io.jvirt.manager.DomainInfo;
import io.jvirt.manager.PoolInfo;
import io.jvirt.manager.SnapshotInfo;
import io.jvirt.manager.VirtException;
import io.jvirt.manager.VolumeInfo;
import io.jvirt.vmm.control.Json;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link Connection} to a running daemon through its REST API: on the unix socket, or on TCP
 * with TLS and the daemon's token ({@link #tls}).
 */
public final class RestClient implements Connection {

    private final String uri;
    private final Path socket;
    private final java.net.InetSocketAddress tcp;
    private final javax.net.ssl.SSLContext tls;
    private final String token;

    public RestClient(String uri, Path socket) {
        this(uri, socket, null, null, null);
    }

    private RestClient(String uri, Path socket, java.net.InetSocketAddress tcp, javax.net.ssl.SSLContext tls, String token) {
        this.uri = uri;
        this.socket = socket;
        this.tcp = tcp;
        this.tls = tls;
        this.token = token;
    }

    /** The daemon's TLS listener at {@code host:port}, verified against {@code tls}'s trust, authenticated by {@code token}. */
    public static RestClient tls(String uri, String host, int port, javax.net.ssl.SSLContext tls, String token) {
        return new RestClient(uri, null, java.net.InetSocketAddress.createUnresolved(host, port), tls, token.strip());
    }

    /** One connection's two streams. */
    private record Conn(InputStream in, java.io.OutputStream out, java.io.Closeable closer) implements java.io.Closeable {
        @Override
        public void close() throws IOException {
            closer.close();
        }
    }

    private String where() {
        return socket != null ? socket.toString() : tcp.getHostString() + ":" + tcp.getPort();
    }

    private Conn open() throws IOException {
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

    private String auth() {
        return token == null ? "" : "Authorization: Bearer " + token + "\r\n";
    }

    /** True when a daemon answers on {@code socket}. */
    public static boolean alive(Path socket) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String seg(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private record Reply(int status, String body) {
    }

    private Reply call(String method, String path, String contentType, String body) throws VirtException {
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

    private Object json(String method, String path, Object body) throws VirtException {
        Reply r = call(method, path, "application/json", body == null ? null : Json.write(body));
        return decode(r);
    }

    private static Object decode(Reply r) throws VirtException {
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

    private String text(String path) throws VirtException {
        Reply r = call("GET", path, null, null);
        if (r.status() >= 400) {
            decode(r);
        }
        return r.body();
    }

    private static String d(String dom) {
        return "/v1/domains/" + seg(dom);
    }

    private static String p(String pool) {
        return "/v1/pools/" + seg(pool);
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public List<DomainInfo> listDomains() throws VirtException {
        return ((List<?>) json("GET", "/v1/domains", null)).stream().map(m -> Codec.domain((Map<?, ?>) m)).toList();
    }

    @Override
    public DomainInfo domain(String key) throws VirtException {
        return Codec.domain((Map<?, ?>) json("GET", d(key), null));
    }

    private DomainInfo postXml(String xml, String source, boolean create) throws VirtException {
        Reply r = call("POST", "/v1/domains?source=" + seg(source) + (create ? "&create=1" : ""), "application/xml", xml);
        return Codec.domain((Map<?, ?>) decode(r));
    }

    @Override
    public DomainInfo define(String xml, String source) throws VirtException {
        return postXml(xml, source, false);
    }

    @Override
    public DomainInfo create(String xml, String source) throws VirtException {
        return postXml(xml, source, true);
    }

    @Override
    public void undefine(String dom) throws VirtException {
        json("DELETE", d(dom), null);
    }

    private void action(String dom, String a) throws VirtException {
        json("POST", d(dom) + "/" + a, null);
    }

    @Override public void start(String dom) throws VirtException {
        action(dom, "start");
    }
    @Override public void shutdown(String dom) throws VirtException {
        action(dom, "shutdown");
    }
    @Override public void destroy(String dom) throws VirtException {
        action(dom, "destroy");
    }
    @Override public void reboot(String dom) throws VirtException {
        action(dom, "reboot");
    }
    @Override public void reset(String dom) throws VirtException {
        action(dom, "reset");
    }
    @Override public void suspend(String dom) throws VirtException {
        action(dom, "suspend");
    }
    @Override public void resume(String dom) throws VirtException {
        action(dom, "resume");
    }

    @Override
    public String dumpXml(String dom, boolean inactive) throws VirtException {
        return text(d(dom) + "/xml" + (inactive ? "?inactive=1" : ""));
    }

    @Override
    public void setAutostart(String dom, boolean on) throws VirtException {
        decode(call("PUT", d(dom) + "/autostart", "text/plain", Boolean.toString(on)));
    }

    @Override
    public SnapshotInfo createSnapshot(String dom, String name, String description) throws VirtException {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("name", name);
        b.put("description", description);
        return Codec.snapshot((Map<?, ?>) json("POST", d(dom) + "/snapshots", b));
    }

    @Override
    public List<SnapshotInfo> listSnapshots(String dom) throws VirtException {
        return ((List<?>) json("GET", d(dom) + "/snapshots", null)).stream().map(m -> Codec.snapshot((Map<?, ?>) m)).toList();
    }

    @Override
    public Optional<SnapshotInfo> currentSnapshot(String dom) throws VirtException {
        Map<?, ?> m = (Map<?, ?>) json("GET", d(dom) + "/snapshots/current", null);
        return m.isEmpty() ? Optional.empty() : Optional.of(Codec.snapshot(m));
    }

    @Override
    public String snapshotXml(String dom, String snap) throws VirtException {
        return text(d(dom) + "/snapshots/" + seg(snap) + "/xml");
    }

    @Override
    public void revertSnapshot(String dom, String snap) throws VirtException {
        json("POST", d(dom) + "/snapshots/" + seg(snap) + "/revert", null);
    }

    @Override
    public void deleteSnapshot(String dom, String snap) throws VirtException {
        json("DELETE", d(dom) + "/snapshots/" + seg(snap), null);
    }

    @Override
    public List<PoolInfo> listPools() throws VirtException {
        return ((List<?>) json("GET", "/v1/pools", null)).stream().map(m -> Codec.pool((Map<?, ?>) m)).toList();
    }

    @Override
    public PoolInfo pool(String name) throws VirtException {
        return Codec.pool((Map<?, ?>) json("GET", p(name), null));
    }

    @Override
    public void definePool(String name, String type, String target) throws VirtException {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("name", name);
        b.put("type", type);
        b.put("target", target);
        json("POST", "/v1/pools", b);
    }

    @Override public void buildPool(String name) throws VirtException {
        json("POST", p(name) + "/build", null);
    }
    @Override public void startPool(String name) throws VirtException {
        json("POST", p(name) + "/start", null);
    }
    @Override public void destroyPool(String name) throws VirtException {
        json("POST", p(name) + "/destroy", null);
    }
    @Override public void undefinePool(String name) throws VirtException {
        json("DELETE", p(name), null);
    }

    @Override
    public List<VolumeInfo> listVolumes(String pool) throws VirtException {
        return ((List<?>) json("GET", p(pool) + "/volumes", null)).stream().map(m -> Codec.volume((Map<?, ?>) m)).toList();
    }

    @Override
    public VolumeInfo volume(String pool, String name) throws VirtException {
        return Codec.volume((Map<?, ?>) json("GET", p(pool) + "/volumes/" + seg(name), null));
    }

    @Override
    public VolumeInfo createVolume(String pool, String name, long capacity, String format) throws VirtException {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("name", name);
        b.put("capacity", capacity);
        b.put("format", format);
        return Codec.volume((Map<?, ?>) json("POST", p(pool) + "/volumes", b));
    }

    @Override
    public void deleteVolume(String pool, String name) throws VirtException {
        json("DELETE", p(pool) + "/volumes/" + seg(name), null);
    }

    @Override
    public VolumeInfo cloneVolume(String pool, String source, String name) throws VirtException {
        return Codec.volume((Map<?, ?>) json("POST", p(pool) + "/volumes/" + seg(source) + "/clone", Map.of("name", name)));
    }

    @Override
    public void resizeVolume(String pool, String name, long capacity, boolean shrink) throws VirtException {
        json("POST", p(pool) + "/volumes/" + seg(name) + "/resize", Map.of("capacity", capacity, "shrink", shrink));
    }

    /** The console through the API: an HTTP upgrade to a raw byte stream (API.md). */
    @Override
    public io.jvirt.manager.ConsoleSession openConsole(String dom) throws VirtException {
        try {
            Conn c = open();
            c.out().write(("GET " + d(dom) + "/console HTTP/1.1\r\nHost: jvirtd\r\n" + auth()
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

    @Override
    public String consolePath(String dom) throws VirtException {
        return Codec.s((Map<?, ?>) json("GET", d(dom) + "/console", null), "path");
    }

    @Override
    public List<io.jvirt.manager.NetworkInfo> listNetworks() throws VirtException {
        return ((List<?>) json("GET", "/v1/networks", null)).stream().map(m -> Codec.network((Map<?, ?>) m)).toList();
    }

    /** Opens the daemon's WebSocket event stream (/v1/events) and feeds it to {@code listener}. */
    @Override
    public AutoCloseable subscribe(java.util.function.Consumer<io.jvirt.manager.DomainEvent> listener) throws VirtException {
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

    @Override
    public void close() {
    }
}
