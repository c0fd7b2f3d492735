package io.jvirt.manager.daemon;

import io.jvirt.vmm.control.ControlServer;
import io.jvirt.vmm.control.ControlTarget;
import java.nio.file.Path;
import java.util.Map;

/**
 * A stand-in for {@code jvirt run} that starts in a fraction of the time: it takes the same command
 * line, serves the real {@link ControlServer}, and behaves like a guest that powers off at once
 * on the ACPI button (SHUTDOWN event, exit 0). It runs no guest code. Tests that use it check
 * the daemon's supervision, not the VMM. Shared with cli's tests through manager's test-jar.
 */
public final class StandInVmm {

    private StandInVmm() {
    }

    public static void main(String[] args) throws Exception {
        Path control = null;
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--control")) {
                control = Path.of(args[i + 1]);
            }
        }
        if (control == null || !args[0].equals("run")) {
            System.err.println("stand-in VMM: expected 'run ... --control SOCKET'");
            System.exit(1);
        }
        // The console is stdio: say what we were given, then echo input back as a guest shell would.
        System.out.println("stand-in VMM: " + String.join(" ", args));
        Thread.ofPlatform().daemon().start(() -> {
            try {
                byte[] buf = new byte[256];
                int n;
                while ((n = System.in.read(buf)) > 0) {
                    System.out.print("echo: " + new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8));
                    System.out.flush();
                }
            } catch (java.io.IOException e) {
                // stdin closed
            }
        });
        // "standin=crash" on the kernel command line makes the power button a crash (exit 3).
        boolean crash = String.join(" ", args).contains("standin=crash");
        ControlServer[] server = new ControlServer[1];
        Object done = new Object();
        ControlTarget t = new ControlTarget() {
            volatile RunState state = RunState.RUNNING;

            @Override public RunState state() {
                return state;
            }
            @Override public void stop() {
                state = RunState.PAUSED;
            }
            @Override public void cont() {
                state = RunState.RUNNING;
            }
            @Override public void powerdown() {
                Thread.ofPlatform().start(() -> {
                    sleep(100);
                    if (crash) {
                        System.exit(3);
                    }
                    server[0].emit("SHUTDOWN", Map.of("guest", true, "reason", "guest-shutdown"));
                    sleep(100);
                    System.exit(0);
                });
            }
            @Override public void reset() {
            }
            @Override public void quit() {
                System.exit(0);
            }
        };
        // "standin=wait:PATH" on the kernel command line: a VMM slow to start, ready once PATH exists.
        java.util.regex.Matcher wait = java.util.regex.Pattern.compile("standin=wait:(\\S+)").matcher(String.join(" ", args));
        if (wait.find()) {
            while (!java.nio.file.Files.exists(Path.of(wait.group(1)))) {
                sleep(50);
            }
        }
        server[0] = ControlServer.start(control, t);
        synchronized (done) {
            done.wait();
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
