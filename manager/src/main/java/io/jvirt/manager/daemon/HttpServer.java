package io.jvirt.manager.daemon;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.BiConsumer;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * HTTP/1.1 on a unix socket (mode 0600: only the owner may manage its VMs) or on TCP with TLS,
 * one virtual thread per connection. A handler answering with {@code upgrade} gets the
 * connection as a WebSocket, or as a raw stream when the response says what serves it.
 */
final class HttpServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(HttpServer.class.getName());
    private static final int HANDSHAKE_TIMEOUT_MS = 30_000;

    private final String where;
    private final Closeable server;
    private final Path unlink;
    private final Function<Http.Request, Http.Response> handler;
    private final BiConsumer<Http.Request, WebSocket> sockets;
    private volatile boolean closed;

    private HttpServer(String where, Closeable server, Path unlink, Function<Http.Request, Http.Response> handler,
                       BiConsumer<Http.Request, WebSocket> sockets) {
        this.where = where;
        this.server = server;
        this.unlink = unlink;
        this.handler = handler;
        this.sockets = sockets;
    }

    static HttpServer start(Path socket, Function<Http.Request, Http.Response> handler,
                            BiConsumer<Http.Request, WebSocket> sockets) throws IOException {
        if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            if (Files.isRegularFile(socket, LinkOption.NOFOLLOW_LINKS) || Files.isDirectory(socket, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(socket + " exists and is not a socket; remove it");
            }
            Files.delete(socket);
        }
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(socket));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot listen on " + socket + ": " + e.getMessage(), e);
        }
        HttpServer s = new HttpServer(socket.toString(), ch, socket, handler, sockets);
        Thread.ofPlatform().name("jvirtd-accept").start(() -> {
            while (!s.closed) {
                try {
                    SocketChannel c = ch.accept();
                    Thread.ofVirtual().name("jvirtd-conn").start(() -> s.serve(c, Channels.newInputStream(c),
                            Channels.newOutputStream(c)));
                } catch (IOException e) {
                    s.acceptFailed(e);
                    return;
                }
            }
        });
        return s;
    }

    /** TLS on {@code address} (TLS 1.2 or 1.3 only; the handshake runs before any HTTP is read). */
    static HttpServer startTls(InetSocketAddress address, SSLContext tls, Function<Http.Request, Http.Response> handler,
                               BiConsumer<Http.Request, WebSocket> sockets) throws IOException {
        SSLServerSocket ss = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket();
        try {
            ss.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
            ss.setReuseAddress(true);
            ss.bind(address);
        } catch (IOException | IllegalArgumentException e) {
            ss.close();
            throw new IOException("cannot listen on " + address + ": " + e.getMessage(), e);
        }
        HttpServer s = new HttpServer("tls:" + address, ss, null, handler, sockets);
        Thread.ofPlatform().name("jvirtd-accept-tls").start(() -> {
            while (!s.closed) {
                try {
                    Socket c = ss.accept();
                    Thread.ofVirtual().name("jvirtd-tls-conn").start(() -> {
                        try {
                            c.setSoTimeout(HANDSHAKE_TIMEOUT_MS); // a client that never speaks TLS is let go
                            ((SSLSocket) c).startHandshake();
                            c.setSoTimeout(0);
                            s.serve(c, c.getInputStream(), c.getOutputStream());
                        } catch (IOException e) {
                            LOG.log(System.Logger.Level.INFO, "TLS handshake with " + c.getRemoteSocketAddress()
                                    + " failed: " + e.getMessage());
                            closeQuietly(c);
                        }
                    });
                } catch (IOException e) {
                    s.acceptFailed(e);
                    return;
                }
            }
        });
        return s;
    }

    /** The bound port of a TCP listener (for --listen tcp:HOST:0). */
    int port() {
        return server instanceof SSLServerSocket ss ? ss.getLocalPort() : -1;
    }

    private void acceptFailed(IOException e) {
        if (!closed) {
            LOG.log(System.Logger.Level.ERROR, "accept on " + where + " failed: " + e.getMessage());
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // already gone
        }
    }

    private void serve(Closeable c, InputStream rawIn, OutputStream rawOut) {
        try (c) {
            InputStream in = new BufferedInputStream(rawIn);
            OutputStream out = new BufferedOutputStream(rawOut);
            while (true) {
                Http.Request req;
                try {
                    req = Http.read(in);
                } catch (Http.BadRequest e) {
                    Http.Response r = Http.Response.json(400, RestApi.error("INVALID_ARG", e.getMessage()));
                    out.write(Http.head(r, false));
                    out.write(r.body());
                    out.flush();
                    return;
                }
                if (req == null) {
                    return;
                }
                Http.Response r = handler.apply(req);
                if (r.upgrade()) {
                    out.write(WebSocket.handshake(req.headers().get("sec-websocket-key")));
                    out.flush();
                    if (r.then() != null) {
                        r.then().run(in, out);
                    } else {
                        WebSocket ws = new WebSocket(out);
                        sockets.accept(req, ws);
                        ws.readUntilClosed(in, data -> { });
                    }
                    return;
                }
                boolean keep = req.keepAlive();
                out.write(Http.head(r, keep));
                out.write(r.body());
                out.flush();
                if (!keep) {
                    return;
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "connection on " + where + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
            if (unlink != null) {
                Files.deleteIfExists(unlink);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing " + where + ": " + e.getMessage());
        }
    }
}
