package io.jvirt.manager.daemon;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;

/**
 * One RFC 6455 frame (section 5.2), read and written the same way by the daemon and by its
 * clients: a client masks what it sends (section 5.3), a server does not. Fragmented messages
 * are not produced; a continuation frame is delivered as it comes.
 */
record WsFrame(int opcode, byte[] payload) {

    // RFC 6455 section 5.2: opcodes.
    static final int OP_CONTINUATION = 0x0;
    static final int OP_TEXT = 0x1;
    static final int OP_BINARY = 0x2;
    static final int OP_CLOSE = 0x8;
    static final int OP_PING = 0x9;
    static final int OP_PONG = 0xA;

    /** The largest payload either side accepts; a bigger frame ends the connection. */
    static final int MAX_PAYLOAD = 1 << 20;

    private static final SecureRandom MASKS = new SecureRandom();

    boolean isData() {
        return opcode == OP_TEXT || opcode == OP_BINARY || opcode == OP_CONTINUATION;
    }

    /** Reads the next frame, unmasking it; null at end of stream before a frame starts. */
    static WsFrame read(InputStream in) throws IOException {
        int b0 = in.read();
        if (b0 < 0) {
            return null;
        }
        int b1 = next(in);
        long len = b1 & 0x7f;
        if (len == 126) {
            len = ((long) next(in) << 8) | next(in);
        } else if (len == 127) {
            len = 0;
            for (int i = 0; i < 8; i++) {
                len = (len << 8) | next(in);
            }
        }
        if (len < 0 || len > MAX_PAYLOAD) {
            throw new IOException("WebSocket frame of " + len + " bytes is over the limit of " + MAX_PAYLOAD);
        }
        byte[] mask = (b1 & 0x80) != 0 ? in.readNBytes(4) : null;
        byte[] p = in.readNBytes((int) len);
        if (p.length != len || (mask != null && mask.length != 4)) {
            throw new EOFException("WebSocket frame cut short");
        }
        if (mask != null) {
            for (int i = 0; i < p.length; i++) {
                p[i] ^= mask[i & 3];
            }
        }
        return new WsFrame(b0 & 0x0f, p);
    }

    /** Writes one final frame and flushes; {@code masked} for a client's frames. */
    static void write(OutputStream out, int opcode, byte[] p, int off, int len, boolean masked) throws IOException {
        byte[] head = new byte[14];
        int h = 0;
        head[h++] = (byte) (0x80 | opcode);
        int maskBit = masked ? 0x80 : 0;
        if (len < 126) {
            head[h++] = (byte) (maskBit | len);
        } else if (len < 65536) {
            head[h++] = (byte) (maskBit | 126);
            head[h++] = (byte) (len >>> 8);
            head[h++] = (byte) len;
        } else {
            head[h++] = (byte) (maskBit | 127);
            for (int s = 56; s >= 0; s -= 8) {
                head[h++] = (byte) ((long) len >>> s);
            }
        }
        if (!masked) {
            out.write(head, 0, h);
            out.write(p, off, len);
        } else {
            byte[] mask = new byte[4];
            MASKS.nextBytes(mask);
            System.arraycopy(mask, 0, head, h, 4);
            out.write(head, 0, h + 4);
            byte[] m = new byte[len];
            for (int i = 0; i < len; i++) {
                m[i] = (byte) (p[off + i] ^ mask[i & 3]);
            }
            out.write(m);
        }
        out.flush();
    }

    private static int next(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("WebSocket frame cut short");
        }
        return b;
    }
}
