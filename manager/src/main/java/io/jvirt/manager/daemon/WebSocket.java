package io.jvirt.manager.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.function.Consumer;

/**
 * The server side of RFC 6455: the handshake, unmasked frames out, masked client frames in
 * (close answered, ping ponged, data handed to the session). The event stream sends text
 * frames and ignores data; the console sends and receives binary frames.
 */
final class WebSocket {

    // RFC 6455 section 1.3: the GUID appended to Sec-WebSocket-Key.
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final OutputStream out;

    WebSocket(OutputStream out) {
        this.out = out;
    }

    static String accept(String key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1));
            return java.util.Base64.getEncoder().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-1", e);
        }
    }

    static byte[] handshake(String key) {
        return ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept(key) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Whether {@code req} asks for a WebSocket (RFC 6455 section 4.2.1). */
    static boolean requested(Http.Request req) {
        return "websocket".equalsIgnoreCase(req.headers().getOrDefault("upgrade", ""))
                && req.headers().containsKey("sec-websocket-key");
    }

    synchronized void sendText(String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        WsFrame.write(out, WsFrame.OP_TEXT, b, 0, b.length, false);
    }

    synchronized void sendBinary(byte[] b, int off, int len) throws IOException {
        WsFrame.write(out, WsFrame.OP_BINARY, b, off, len, false);
    }

    /** Sends a close frame (status 1000, normal closure) if the connection is still open. */
    synchronized void close() {
        try {
            WsFrame.write(out, WsFrame.OP_CLOSE, new byte[] {0x03, (byte) 0xe8}, 0, 2, false);
        } catch (IOException e) {
            // the client is gone already
        }
    }

    /** Reads client frames until close or EOF, handing data payloads to {@code data}. */
    void readUntilClosed(InputStream in, Consumer<byte[]> data) throws IOException {
        WsFrame f;
        while ((f = WsFrame.read(in)) != null) {
            switch (f.opcode()) {
                case WsFrame.OP_CLOSE -> {
                    byte[] p = f.payload();
                    synchronized (this) {
                        WsFrame.write(out, WsFrame.OP_CLOSE, p, 0, Math.min(p.length, 2), false);
                    }
                    return;
                }
                case WsFrame.OP_PING -> {
                    synchronized (this) {
                        WsFrame.write(out, WsFrame.OP_PONG, f.payload(), 0, f.payload().length, false);
                    }
                }
                default -> {
                    if (f.isData()) {
                        data.accept(f.payload());
                    }
                }
            }
        }
    }
}
