package io.jvirt.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.vmm.guest.DefaultGuest;
import io.jvirt.vmm.guest.GuestBuildException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code jvirt run} with no --kernel boots the default guest on the best accelerator (the
 * software CPU where there is no VT-x/AMD-V: minutes), runs a command typed on the console and
 * exits 0 when the guest powers off. Tagged {@code linux}: slow. Without VT-x/AMD-V it runs only
 * with {@code -Djvirt.test.slow=true} (about 4 minutes on tcg).
 */
@Tag("linux")
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class RunDefaultGuestTest {

    /** Guest output that can be waited on. */
    static final class Screen extends OutputStream {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            buf.write(b);
            notifyAll();
        }

        synchronized boolean await(String s, long deadlineNanos) throws InterruptedException {
            while (!buf.toString(StandardCharsets.UTF_8).contains(s)) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                wait(Math.min(left, 1000));
            }
            return true;
        }

        synchronized String tail() {
            String t = buf.toString(StandardCharsets.UTF_8);
            return t.substring(Math.max(0, t.length() - 3000));
        }
    }

    @Test
    void bootsTheDefaultGuestTypesACommandAndPowersOff() throws Exception {
        Assumptions.assumeTrue(RunCommand.hostHasHardwareVirtualization() || Boolean.getBoolean("jvirt.test.slow"),
                "without VT-x/AMD-V this boots on the software CPU (about 4 minutes); run with -Djvirt.test.slow=true");
        try {
            DefaultGuest.ensure();
        } catch (GuestBuildException e) {
            Assumptions.abort("the default guest cannot be built here: " + e.getMessage());
        }
        PipedOutputStream keys = new PipedOutputStream();
        PipedInputStream in = new PipedInputStream(keys, 4096);
        Screen screen = new Screen();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> RunCommand.run(
                new String[] {"--memory", "256M"}, in, new PrintStream(screen, true), new PrintStream(err, true)));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(25);
        assertTrue(screen.await(DefaultGuest.READY_MARKER, deadline), "no shell; console tail:\n" + screen.tail() + err);
        Thread.sleep(1000);
        type(keys, "echo jvirt-$((6*7))-ok\n");
        assertTrue(screen.await("jvirt-42-ok", deadline), "command did not run:\n" + screen.tail());
        type(keys, "poweroff -f\n");
        assertEquals(0, status.get(5, TimeUnit.MINUTES), err.toString(StandardCharsets.UTF_8) + screen.tail());
    }

    private static void type(PipedOutputStream keys, String s) throws IOException {
        keys.write(s.getBytes(StandardCharsets.US_ASCII));
        keys.flush();
    }
}
