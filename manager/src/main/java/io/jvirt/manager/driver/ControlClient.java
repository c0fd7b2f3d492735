package io.jvirt.manager.driver;

import io.jvirt.manager.VirtException;
import io.jvirt.vmm.control.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The daemon's end of a VMM's control socket (vmm/control/CONTROL.md): negotiates, then sends
 * commands one at a time; a reader thread hands replies back and events to a listener.
 */
final class ControlClient implements AutoCloseable {

    private static final long REPLY_TIMEOUT_SECONDS = 10;

    private final Path path;
    private final SocketChannel ch;
    private final BlockingQueue<Map<String, Object>> replies = new ArrayBlockingQueue<>(16);
    private final Consumer<Map<String, Object>> events;

    private ControlClient(Path path, SocketChannel ch, Consumer<Map<String, Object>> events) {
        this.path = path;
        this.ch = ch;
        this.events = events;
    }

    static ControlClient connect(Path socket, Consumer<Map<String, Object>> events) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        ControlClient c = new ControlClient(socket, ch, events);
        BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
        String greeting = in.readLine();
        if (greeting == null || !greeting.contains("\"QMP\"")) {
            ch.close();
            throw new IOException("no QMP greeting on " + socket + " (got " + greeting + ")");
        }
        Thread.ofPlatform().daemon().name("control-reader-" + socket.getFileName()).start(() -> c.read(in));
        try {
            c.execute("qmp_capabilities");
        } catch (VirtException e) {
            c.close();
            throw new IOException(e.getMessage(), e);
        }
        return c;
    }

    private void read(BufferedReader in) {
        try {
            String line;
            while ((line = in.readLine()) != null) {
                Map<String, Object> m;
                try {
                    m = Json.parseObject(line);
                } catch (Json.JsonException e) {
                    continue;
                }
                if (m.containsKey("event")) {
                    events.accept(m);
                } else {
                    replies.offer(m);
                }
            }
        } catch (IOException e) {
            // The VMM went away; the process watcher reports the exit.
        }
        replies.offer(Map.of("error", Map.of("class", "Disconnected", "desc", "control socket " + path + " closed")));
    }

    /** Runs a command and returns its "return" value. */
    synchronized Object execute(String command) throws VirtException {
        try {
            ch.write(ByteBuffer.wrap((Json.write(Map.of("execute", command)) + "\n").getBytes(StandardCharsets.UTF_8)));
            Map<String, Object> r = replies.poll(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (r == null) {
                throw VirtException.internal("VMM did not answer '" + command + "' on " + path + " within "
                        + REPLY_TIMEOUT_SECONDS + " s");
            }
            if (r.get("error") instanceof Map<?, ?> err) {
                throw VirtException.failed(command + ": " + err.get("desc"));
            }
            return r.get("return");
        } catch (IOException e) {
            throw VirtException.internal("cannot send '" + command + "' to the VMM on " + path + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw VirtException.internal("interrupted waiting for the VMM on " + path);
        }
    }

    @Override
    public void close() {
        try {
            ch.close();
        } catch (IOException e) {
            // Already gone.
        }
    }
}
