package io.jvirt.cli.virsh;

import io.jvirt.cli.virsh.Shell.Failure;
import io.jvirt.cli.virsh.Spec.Args;
import io.jvirt.manager.Connection;
import io.jvirt.manager.DomainEvent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * virsh event: waits for lifecycle events and prints them as virsh does
 * ("event 'lifecycle' for domain 'vm': Started Booted"), then "events received: N".
 */
final class EventCommand {

    // virsh's virshDomainEventToString / virshDomainEventDetailToString words.
    private static final Map<String, String> TYPES = Map.of("defined", "Defined", "undefined", "Undefined",
            "started", "Started", "suspended", "Suspended", "resumed", "Resumed", "stopped", "Stopped",
            "shutdown", "Shutdown");
    private static final Map<String, String> DETAILS = Map.ofEntries(Map.entry("added", "Added"),
            Map.entry("updated", "Updated"), Map.entry("removed", "Removed"), Map.entry("booted", "Booted"), Map.entry("paused", "Paused"),
            Map.entry("unpaused", "Unpaused"), Map.entry("shutdown", "Shutdown"), Map.entry("destroyed", "Destroyed"),
            Map.entry("crashed", "Crashed"), Map.entry("from snapshot", "Snapshot"), Map.entry("host", "Finished"),
            Map.entry("guest", "Finished"), Map.entry("unknown", "Unknown"));

    private EventCommand() {
    }

    static List<Spec> specs() {
        return List.of(Spec.of("event", EventCommand::event, "--domain=", "--event=", "--all", "--loop",
                "--timeout=", "--list", "--timestamp"));
    }

    static String line(DomainEvent e) {
        if (e.type().equals("rebooted")) {
            return "event 'reboot' for domain '" + e.domain() + "'";
        }
        return "event 'lifecycle' for domain '" + e.domain() + "': " + TYPES.getOrDefault(e.type(), e.type()) + " "
                + DETAILS.getOrDefault(e.detail(), e.detail());
    }

    private static boolean event(Shell sh, Args a) throws Failure {
        if (a.has("list")) {
            sh.print("lifecycle\nreboot\n");
            return true;
        }
        String only = a.get("event");
        if (only != null && !only.equals("lifecycle") && !only.equals("reboot")) {
            throw new Failure("unknown event type " + only);
        }
        if (only == null && !a.has("all")) {
            throw new Failure("one of --list, --all, or --event <type> is required");
        }
        String domain = a.get("domain") == null ? null : sh.domain(a.get("domain")).name();
        long timeout = a.get("timeout") == null ? -1 : Long.parseLong(a.get("timeout"));
        LinkedBlockingQueue<DomainEvent> q = new LinkedBlockingQueue<>();
        Connection c = sh.conn();
        int count = 0;
        boolean timedOut = false;
        try (AutoCloseable sub = sh.op(null, () -> c.subscribe(q::add))) {
            long deadline = timeout < 0 ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.SECONDS.toNanos(timeout);
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    timedOut = true;
                    break;
                }
                DomainEvent e = q.poll(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
                if (e == null || (domain != null && !domain.equals(e.domain()))) {
                    continue;
                }
                boolean reboot = e.type().equals("rebooted");
                if (only != null && only.equals("reboot") != reboot) {
                    continue;
                }
                String ts = a.has("timestamp") ? java.time.Instant.ofEpochMilli(e.timeMillis()) + ": " : "";
                sh.print(ts + line(e) + "\n");
                sh.out.flush();
                count++;
                if (!a.has("loop")) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Failure f) {
            throw f;
        } catch (Exception e) {
            throw new Failure("event stream: " + e.getMessage());
        }
        if (timedOut) {
            sh.print("event loop timed out\n");
        }
        sh.print("events received: " + count + "\n");
        return !timedOut;
    }
}
