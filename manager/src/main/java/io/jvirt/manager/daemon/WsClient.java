package io.jvirt.manager.daemon;

import io.jvirt.manager.ConsoleSession;
import io.jvirt.manager.VirtException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;

/**
 * The client side of the daemon's WebSockets (RFC 6455): the opening handshake with its
 * accept-key check, then the console as a {@link ConsoleSession} (binary frames both ways) or
 * the event stream as text messages.
 */
final class WsClient {

    private final ApiTransport.Conn conn;

    private WsClient(ApiTransport.Conn conn) {
        this.conn = conn;
    }

    /**
     * Opens {@code path} on {@code t} as a WebSocket. A refusal (an HTTP error instead of 101)
     * is decoded like any API error, so the caller sees the daemon's own message.
     */
    static WsClient open(ApiTransport t, String path) throws VirtException, IOException {
        ApiTransport.Conn c = t.open();
        try {
            byte[] nonce = new byte[16];
            new SecureRandom().nextBytes(nonce);
            String key = Base64.getEncoder().encodeToString(nonce);
            c.out().write(("GET " + path + " HTTP/1.1\r\nHost: jvirtd\r\n" + t.auth()
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key
                    + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            c.out().flush();
            String status = Http.readLine(c.in(), Http.MAX_HEAD);
            String[] parts = status == null ? new String[0] : status.split(" ");
            int code = parts.length < 2 ? -1 : Integer.parseInt(parts[1]);
            int len = -1;
            String accept = null;
            String line;
            while ((line = Http.readLine(c.in(), Http.MAX_HEAD)) != null && !line.isEmpty()) {
                String lower = line.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    len = Integer.parseInt(line.substring(15).trim());
                } else if (lower.startsWith("sec-websocket-accept:")) {
                    accept = line.substring(21).trim();
                }
            }
            if (code != 101) {
                String body = len >= 0 ? new String(c.in().readNBytes(len), StandardCharsets.UTF_8) : "";
                ApiTransport.decode(new ApiTransport.Reply(code, body));
                throw VirtException.internal("the jvirt daemon answered the WebSocket request for " + path + " with " + status);
            }
            if (!WebSocket.accept(key).equals(accept)) {
                throw VirtException.internal("the jvirt daemon's WebSocket answer for " + path
                        + " has a wrong Sec-WebSocket-Accept: " + accept);
            }
            return new WsClient(c);
        } catch (VirtException | IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * The next data message's payload, answering pings on the way; null when the server closed
     * the stream or the connection ended.
     */
    byte[] receive() throws IOException {
        WsFrame f;
        while ((f = WsFrame.read(conn.in())) != null) {
            if (f.isData()) {
                return f.payload();
            }
            if (f.opcode() == WsFrame.OP_PING) {
                send(WsFrame.OP_PONG, f.payload(), 0, f.payload().length);
            } else if (f.opcode() == WsFrame.OP_CLOSE) {
                return null;
            }
        }
        return null;
    }

    synchronized void send(int opcode, byte[] b, int off, int len) throws IOException {
        WsFrame.write(conn.out(), opcode, b, off, len, true);
    }

    void close() throws IOException {
        try {
            send(WsFrame.OP_CLOSE, new byte[] {0x03, (byte) 0xe8}, 0, 2); // 1000: normal closure
        } catch (IOException e) {
            // the daemon is gone already
        }
        conn.close();
    }

    /** This WebSocket as a console: guest output from binary messages, keyboard input as binary messages. */
    ConsoleSession console() {
        InputStream in = new InputStream() {
            private byte[] buf = new byte[0];
            private int pos;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                while (pos == buf.length) {
                    byte[] next = receive();
                    if (next == null) {
                        return -1;
                    }
                    buf = next;
                    pos = 0;
                }
                int n = Math.min(len, buf.length - pos);
                System.arraycopy(buf, pos, b, off, n);
                pos += n;
                return n;
            }
        };
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                send(WsFrame.OP_BINARY, b, off, len);
            }
        };
        return new ConsoleSession() {
            @Override
            public InputStream fromGuest() {
                return in;
            }

            @Override
            public OutputStream toGuest() {
                return out;
            }

            @Override
            public void close() throws IOException {
                WsClient.this.close();
            }
        };
    }
}
