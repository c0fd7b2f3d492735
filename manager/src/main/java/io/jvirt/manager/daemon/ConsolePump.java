package io.jvirt.manager.daemon;

import io.jvirt.manager.ConsoleSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Joins an upgraded API connection to a domain's console: guest output to the client on its
 * own thread, client bytes to the guest on the caller's. Either side ending ends both: the
 * domain stopping closes the client's stream, the client hanging up closes the session.
 */
final class ConsolePump {

    private ConsolePump() {
    }

    static void run(ConsoleSession session, InputStream fromClient, OutputStream toClient) throws IOException {
        Thread out = Thread.ofVirtual().name("console-out").start(() -> {
            byte[] buf = new byte[4096];
            try (InputStream g = session.fromGuest()) {
                int n;
                while ((n = g.read(buf)) > 0) {
                    toClient.write(buf, 0, n);
                    toClient.flush();
                }
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
            byte[] buf = new byte[1024];
            int n;
            OutputStream g = session.toGuest();
            while ((n = fromClient.read(buf)) > 0) {
                g.write(buf, 0, n);
            }
        } catch (IOException e) {
            // connection closed (by us when the domain stopped, or by the client)
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
