package io.jvirt.manager.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WsFrameTest {

    @Test
    void roundTripsEveryLengthEncodingMaskedAndNot() throws IOException {
        Random r = new Random(7);
        for (int len : new int[] {0, 1, 125, 126, 65535, 65536, 200_000}) {
            byte[] p = new byte[len];
            r.nextBytes(p);
            for (boolean masked : new boolean[] {false, true}) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                WsFrame.write(out, WsFrame.OP_BINARY, p, 0, len, masked);
                byte[] wire = out.toByteArray();
                assertEquals(masked ? 0x80 : 0, wire[1] & 0x80, "mask bit for length " + len);
                WsFrame f = WsFrame.read(new ByteArrayInputStream(wire));
                assertEquals(WsFrame.OP_BINARY, f.opcode());
                assertArrayEquals(p, f.payload(), "payload of length " + len + (masked ? " masked" : ""));
            }
        }
    }

    @Test
    void readsTheRfcExampleOfAMaskedHello() throws IOException {
        // RFC 6455 section 5.7: a single-frame masked text message containing "Hello".
        byte[] wire = {(byte) 0x81, (byte) 0x85, 0x37, (byte) 0xfa, 0x21, 0x3d, 0x7f, (byte) 0x9f, 0x4d, 0x51, 0x58};
        WsFrame f = WsFrame.read(new ByteArrayInputStream(wire));
        assertEquals(WsFrame.OP_TEXT, f.opcode());
        assertEquals("Hello", new String(f.payload(), java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    void endOfStreamBeforeAFrameIsNullAndInsideOneIsAnError() throws IOException {
        assertNull(WsFrame.read(new ByteArrayInputStream(new byte[0])));
        assertThrows(EOFException.class, () -> WsFrame.read(new ByteArrayInputStream(new byte[] {(byte) 0x82, 5, 1, 2})));
    }

    @Test
    void refusesAFrameOverTheLimitWithoutReadingIt() {
        byte[] head = {(byte) 0x82, 127, 0, 0, 0, 0, 0x7f, 0, 0, 0};
        IOException e = assertThrows(IOException.class, () -> WsFrame.read(new ByteArrayInputStream(head)));
        assertEquals("WebSocket frame of 2130706432 bytes is over the limit of 1048576", e.getMessage());
    }
}
