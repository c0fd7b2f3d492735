package io.jvirt.manager.daemon;

import io.jvirt.manager.Connection;
import io.jvirt.manager.DomainInfo;
import io.jvirt.manager.PoolInfo;
import io.jvirt.manager.SnapshotInfo;
import io.jvirt.manager.VirtException;
import io.jvirt.manager.VolumeInfo;
import io.jvirt.vmm.control.Json;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link Connection} to a running daemon through its REST API: on the unix socket, or on TCP
 * with TLS and the daemon's token ({@link #tls}).
 */
public final class RestClient implements Connection {

    private final String uri;
    private final ApiTransport t;

    public RestClient(String uri, Path socket) {
        this(uri, new ApiTransport(socket, null, null, null));
    }

    private RestClient(String uri, ApiTransport t) {
        this.uri = uri;
        this.t = t;
    }

    /** The daemon's TLS listener at {@code host:port}, verified against {@code tls}'s trust, authenticated by {@code token}. */
    public static RestClient tls(String uri, String host, int port, javax.net.ssl.SSLContext tls, String token) {
        return new RestClient(uri, new ApiTransport(null, java.net.InetSocketAddress.createUnresolved(host, port), tls,
                token.strip()));
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

    private Object json(String method, String path, Object body) throws VirtException {
        ApiTransport.Reply r = t.call(method, path, "application/json", body == null ? null : Json.write(body));
        return ApiTransport.decode(r);
    }

    private String text(String path) throws VirtException {
        ApiTransport.Reply r = t.call("GET", path, null, null);
        if (r.status() >= 400) {
            ApiTransport.decode(r);
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
        ApiTransport.Reply r = t.call("POST", "/v1/domains?source=" + seg(source) + (create ? "&create=1" : ""), "application/xml", xml);
        return Codec.domain((Map<?, ?>) ApiTransport.decode(r));
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
        ApiTransport.decode(t.call("PUT", d(dom) + "/autostart", "text/plain", Boolean.toString(on)));
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

    /** The console through the API: a WebSocket with binary frames both ways (API.md). */
    @Override
    public io.jvirt.manager.ConsoleSession openConsole(String dom) throws VirtException {
        return t.console(d(dom) + "/console");
    }

    @Override
    public String consolePath(String dom) throws VirtException {
        return Codec.s((Map<?, ?>) json("GET", d(dom) + "/console", null), "path");
    }

    @Override
    public List<io.jvirt.manager.NetworkInfo> listNetworks() throws VirtException {
        return ((List<?>) json("GET", "/v1/networks", null)).stream().map(m -> Codec.network((Map<?, ?>) m)).toList();
    }

    private static String n(String net) {
        return "/v1/networks/" + seg(net);
    }

    @Override
    public io.jvirt.manager.NetworkInfo network(String net) throws VirtException {
        return Codec.network((Map<?, ?>) json("GET", n(net), null));
    }

    private io.jvirt.manager.NetworkInfo postNetwork(String xml, String source, boolean create) throws VirtException {
        ApiTransport.Reply r = t.call("POST", "/v1/networks?source=" + seg(source) + (create ? "&create=1" : ""),
                "application/xml", xml);
        return Codec.network((Map<?, ?>) ApiTransport.decode(r));
    }

    @Override
    public io.jvirt.manager.NetworkInfo defineNetwork(String xml, String source) throws VirtException {
        return postNetwork(xml, source, false);
    }

    @Override
    public io.jvirt.manager.NetworkInfo createNetwork(String xml, String source) throws VirtException {
        return postNetwork(xml, source, true);
    }

    @Override public void startNetwork(String net) throws VirtException {
        json("POST", n(net) + "/start", null);
    }
    @Override public void destroyNetwork(String net) throws VirtException {
        json("POST", n(net) + "/destroy", null);
    }
    @Override public void undefineNetwork(String net) throws VirtException {
        json("DELETE", n(net), null);
    }
    @Override public void setNetworkAutostart(String net, boolean on) throws VirtException {
        ApiTransport.decode(t.call("PUT", n(net) + "/autostart", "text/plain", Boolean.toString(on)));
    }

    @Override
    public String networkXml(String net, boolean inactive) throws VirtException {
        return text(n(net) + "/xml" + (inactive ? "?inactive=1" : ""));
    }

    @Override
    public List<io.jvirt.manager.NetworkLease> networkLeases(String net) throws VirtException {
        return ((List<?>) json("GET", n(net) + "/leases", null)).stream().map(m -> Codec.lease((Map<?, ?>) m)).toList();
    }

    /** Opens the daemon's WebSocket event stream (/v1/events) and feeds it to {@code listener}. */
    @Override
    public AutoCloseable subscribe(java.util.function.Consumer<io.jvirt.manager.DomainEvent> listener) throws VirtException {
        return t.events(listener);
    }

    @Override
    public void close() {
    }
}
