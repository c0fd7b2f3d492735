package io.jvirt.manager.daemon;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * HTTP/1.1 on a unix socket (mode 0600: only the owner may manage its VMs), one virtual thread
 * per connection. A handler answering with {@code upgrade} gets the connection as a WebSocket.
 */
final class HttpServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(HttpServer.class.getName());

    private final Path path;
    private final ServerSocketChannel server;
    private final Function<Http.Request, Http.Response> handler;
    private final BiConsumer<Http.Request, WebSocket> sockets;
    private volatile boolean closed;

    private HttpServer(Path path, ServerSocketChannel server, Function<Http.Request, Http.Response> handler,
                       BiConsumer<Http.Request, WebSocket> sockets) {
        this.path = path;
        this.server = server;
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
        HttpServer s = new HttpServer(socket, ch, handler, sockets);
        Thread.ofPlatform().name("jvirtd-accept").start(s::acceptLoop);
        return s;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel c = server.accept();
                Thread.ofVirtual().name("jvirtd-conn").start(() -> serve(c));
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.ERROR, "accept on " + path + " failed: " + e.getMessage());
                }
                return;
            }
        }
    }

    private void serve(SocketChannel c) {
        try (c) {
            InputStream in = new BufferedInputStream(Channels.newInputStream(c));
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(c));
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
                    String key = req.headers().get("sec-websocket-key");
                    out.write(WebSocket.handshake(key));
                    out.flush();
                    WebSocket ws = new WebSocket(out);
                    sockets.accept(req, ws);
                    ws.readUntilClosed(in);
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
            LOG.log(System.Logger.Level.DEBUG, "connection on " + path + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing " + path + ": " + e.getMessage());
        }
    }
}
