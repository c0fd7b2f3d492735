package io.jvirt.manager.daemon;

import io.jvirt.manager.Connection;
import io.jvirt.manager.DomainEvent;
import io.jvirt.manager.VirtException;
import io.jvirt.manager.driver.LocalDriver;
import io.jvirt.manager.store.Store;
import io.jvirt.vmm.control.Json;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code jvirt daemon}: libvirtd's role. Owns the store (one daemon per store, by a lock file),
 * supervises the VMM processes through {@link LocalDriver}, and serves the REST API and the
 * WebSocket event stream on ROOT/run/jvirtd.sock. Stopping it leaves VMs running; the next
 * daemon re-adopts them.
 */
public final class Daemon implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Daemon.class.getName());

    private final Set<WebSocket> subscribers = ConcurrentHashMap.newKeySet();
    private final FileChannel lockFile;
    private final Connection driver;
    private final HttpServer http;
    private final HttpServer tcp;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final ExecutorService sender = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("jvirtd-events").factory());

    /**
     * The API on TCP: TLS with {@code tls}'s certificate, every request carrying
     * {@code Authorization: Bearer TOKEN}; {@code address} port 0 picks a free port.
     */
    public record TcpListener(java.net.InetSocketAddress address, javax.net.ssl.SSLContext tls, String token) {
        public TcpListener {
            if (token == null || token.strip().length() < 16) {
                throw new IllegalArgumentException("the API token must be at least 16 characters; generate one with"
                        + " 'head -c 32 /dev/urandom | base64 > TOKENFILE'");
            }
            token = token.strip();
        }
    }

    private Daemon(Store store, String uri, List<String> vmmCommand, TcpListener listen) throws VirtException, IOException {
        store.init();
        lockFile = FileChannel.open(store.runDir().resolve("jvirtd.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = lockFile.tryLock();
        if (lock == null) {
            lockFile.close();
            throw new VirtException(VirtException.Code.OPERATION_FAILED, "another jvirt daemon already serves "
                    + store.root() + "; stop it first or use it through " + store.socket());
        }
        driver = LocalDriver.open(uri, store, vmmCommand, this::broadcast);
        store.put("run/jvirtd.pid", ProcessHandle.current().pid() + "\n");
        RestApi api = new RestApi(driver);
        http = HttpServer.start(store.socket(), req -> events(req).orElseGet(() -> api.handle(req)),
                (req, ws) -> subscribers.add(ws));
        LOG.log(System.Logger.Level.INFO, "jvirt daemon for " + uri + " listening on " + store.socket());
        if (listen != null) {
            RestApi remote = new RestApi(driver, true);
            byte[] token = listen.token().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            try {
                tcp = HttpServer.startTls(listen.address(), listen.tls(), req -> {
                    String auth = req.headers().getOrDefault("authorization", "");
                    if (!auth.startsWith("Bearer ") || !java.security.MessageDigest.isEqual(token,
                            auth.substring(7).strip().getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
                        return Http.Response.json(401, RestApi.error("AUTH", "authentication failed: the jvirt API on TCP"
                                + " needs 'Authorization: Bearer TOKEN' with the daemon's token; give the client its"
                                + " token file (token_file=PATH in the URI, or JVIRT_TOKEN_FILE)"));
                    }
                    return events(req).orElseGet(() -> remote.handle(req));
                }, (req, ws) -> subscribers.add(ws));
            } catch (IOException e) {
                http.close();
                throw e;
            }
            LOG.log(System.Logger.Level.INFO, "jvirt daemon for " + uri + " listening on TLS " + listen.address()
                    + " (port " + tcp.port() + ")");
        } else {
            tcp = null;
        }
    }

    private static java.util.Optional<Http.Response> events(Http.Request req) {
        if (req.path().equals("/v1/events") && WebSocket.requested(req)) {
            return java.util.Optional.of(new Http.Response(101, "", new byte[0], true));
        }
        return java.util.Optional.empty();
    }

    /** The TCP port the API listens on with TLS, or -1 without a TCP listener. */
    public int tcpPort() {
        return tcp == null ? -1 : tcp.port();
    }

    /** Starts a daemon on {@code store}; {@code vmmCommand} null means this JVM running io.jvirt.cli.Main. */
    public static Daemon start(Store store, String uri, List<String> vmmCommand) throws VirtException {
        return start(store, uri, vmmCommand, null);
    }

    /** As {@link #start(Store, String, List)}, also serving the API on TCP with TLS and a token when {@code listen} is set. */
    public static Daemon start(Store store, String uri, List<String> vmmCommand, TcpListener listen) throws VirtException {
        try {
            return new Daemon(store, uri, vmmCommand, listen);
        } catch (IOException e) {
            throw new VirtException(VirtException.Code.SYSTEM, "cannot start the jvirt daemon on " + store.root() + ": " + e.getMessage(), e);
        }
    }

    private void broadcast(DomainEvent e) {
        String text = Json.write(Codec.event(e));
        // One sender thread keeps events in order and off the driver's lock.
        sender.execute(() -> {
            for (WebSocket ws : subscribers) {
                try {
                    ws.sendText(text);
                } catch (IOException ex) {
                    subscribers.remove(ws);
                }
            }
        });
    }

    /** Blocks until {@link #close} (or the JVM's shutdown). */
    public void await() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        http.close();
        if (tcp != null) {
            tcp.close();
        }
        driver.close();
        sender.shutdown();
        try {
            lockFile.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing lock file: " + e.getMessage());
        }
        stopped.countDown();
    }
}
