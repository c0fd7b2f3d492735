package io.jvirt.manager.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The server side of RFC 6455, as much as an event stream needs: the handshake, unmasked text
 * frames out, and masked client frames in (close answered, ping ponged, data ignored).
 */
final class WebSocket {

    // RFC 6455 section 1.3: the GUID appended to Sec-WebSocket-Key.
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final int OP_TEXT = 0x1;
    private static final int OP_CLOSE = 0x8;
    private static final int OP_PING = 0x9;
    private static final int OP_PONG = 0xA;
    private static final int MAX_CLIENT_PAYLOAD = 64 * 1024;

    private final OutputStream out;

    WebSocket(OutputStream out) {
        this.out = out;
    }

    static String accept(String key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-1", e);
        }
    }

    static byte[] handshake(String key) {
        return ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept(key) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    synchronized void sendText(String text) throws IOException {
        frame(OP_TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    private void frame(int op, byte[] p) throws IOException {
        out.write(0x80 | op);
        if (p.length < 126) {
            out.write(p.length);
        } else if (p.length < 65536) {
            out.write(126);
            out.write(p.length >>> 8);
            out.write(p.length & 0xff);
        } else {
            out.write(127);
            for (int s = 56; s >= 0; s -= 8) {
                out.write((int) ((long) p.length >>> s) & 0xff);
            }
        }
        out.write(p);
        out.flush();
    }

    /** Reads client frames until close or EOF; returns when the session is over. */
    void readUntilClosed(InputStream in) throws IOException {
        while (true) {
            int b0 = in.read();
            int b1 = in.read();
            if (b0 < 0 || b1 < 0) {
                return;
            }
            int op = b0 & 0x0f;
            long len = b1 & 0x7f;
            if (len == 126) {
                len = (in.read() << 8) | in.read();
            } else if (len == 127) {
                len = 0;
                for (int i = 0; i < 8; i++) {
                    len = (len << 8) | in.read();
                }
            }
            if (len > MAX_CLIENT_PAYLOAD || len < 0) {
                return;
            }
            byte[] mask = (b1 & 0x80) != 0 ? in.readNBytes(4) : new byte[4];
            byte[] p = in.readNBytes((int) len);
            for (int i = 0; i < p.length; i++) {
                p[i] ^= mask[i & 3];
            }
            switch (op) {
                case OP_CLOSE -> {
                    synchronized (this) {
                        frame(OP_CLOSE, p.length >= 2 ? new byte[] {p[0], p[1]} : new byte[0]);
                    }
                    return;
                }
                case OP_PING -> {
                    synchronized (this) {
                        frame(OP_PONG, p);
                    }
                }
                default -> {
                    // Clients have nothing to say on the event stream.
                }
            }
        }
    }
}
