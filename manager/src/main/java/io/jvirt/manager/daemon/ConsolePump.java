package io.jvirt.manager.daemon;

import io.jvirt.manager.ConsoleSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Joins a console WebSocket to a domain's console: guest output goes to the client as binary
 * frames on its own thread, the client's data frames go to the guest on the caller's. Either
 * side ending ends both: the domain stopping sends a close frame and closes the connection, the
 * client closing (or hanging up) closes the session.
 */
final class ConsolePump {

    private ConsolePump() {
    }

    static void run(ConsoleSession session, InputStream fromClient, OutputStream toClient) throws IOException {
        WebSocket ws = new WebSocket(toClient);
        Thread out = Thread.ofVirtual().name("console-out").start(() -> {
            byte[] buf = new byte[4096];
            try (InputStream g = session.fromGuest()) {
                int n;
                while ((n = g.read(buf)) > 0) {
                    ws.sendBinary(buf, 0, n);
                }
                ws.close();
            } catch (IOException e) {
                // the client or the session went away
            } finally {
                try {
                    toClient.close(); // ends the connection, so the client sees the domain stop
                } catch (IOException e) {
                    // already closed
                }
            }
        });
        try {
            OutputStream g = session.toGuest();
            ws.readUntilClosed(fromClient, bytes -> {
                try {
                    g.write(bytes);
                    g.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // connection closed (by us when the domain stopped, or by the client), or the guest's input closed
        } finally {
            session.close();
            try {
                out.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
