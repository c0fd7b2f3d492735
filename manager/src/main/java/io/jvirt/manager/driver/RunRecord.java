package io.jvirt.manager.driver;

import io.jvirt.manager.VirtException;
import io.jvirt.manager.store.Store;
import io.jvirt.vmm.control.Json;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a later daemon needs to find a running domain's VMM again: ROOT/run/NAME.json. It is
 * written twice during a launch: before the VMM is spawned ({@code pid} 0, with the TAPs the
 * daemon created, so a daemon killed right then still removes them) and once it runs (pid and
 * process start time, which tell a reused pid apart). A VMM whose record has pid 0 is found by
 * its control socket path on its command line.
 */
record RunRecord(int id, long pid, long started, Path control, Path console, Path input, List<String> taps) {

    static String path(String name) {
        return "run/" + name + ".json";
    }

    RunRecord withProcess(ProcessHandle h) {
        return new RunRecord(id, h.pid(), startMillis(h), control, console, input, taps);
    }

    static long startMillis(ProcessHandle h) {
        return h.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    void save(Store store, String name) throws VirtException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", pid);
        m.put("started", started);
        m.put("control", control.toString());
        m.put("console", console.toString());
        m.put("input", input.toString());
        m.put("id", id);
        m.put("taps", taps);
        store.put(path(name), Json.write(m) + "\n");
    }

    /** The record of {@code name}, or empty when there is none or it is unreadable (a torn write cannot happen: AtomicFiles). */
    static Optional<RunRecord> load(Store store, String name) throws VirtException {
        Optional<String> text = store.get(path(name));
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            Map<String, Object> m = Json.parseObject(text.get());
            List<String> taps = new ArrayList<>();
            if (m.get("taps") instanceof List<?> l) {
                l.forEach(t -> taps.add(String.valueOf(t)));
            }
            String input = m.get("input") instanceof String s ? s : store.runDir().resolve(name + ".in").toString();
            return Optional.of(new RunRecord(((Number) m.get("id")).intValue(), ((Number) m.get("pid")).longValue(),
                    ((Number) m.get("started")).longValue(), Path.of((String) m.get("control")),
                    Path.of((String) m.get("console")), Path.of(input), List.copyOf(taps)));
        } catch (Json.JsonException | ClassCastException | NullPointerException e) {
            return Optional.empty();
        }
    }

    /**
     * The VMM process this record names: the recorded pid with the recorded start time, or, when
     * the daemon died before recording it, the process serving this control socket.
     */
    Optional<ProcessHandle> process() {
        if (pid > 0) {
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> startMillis(h) == started);
        }
        return byControlSocket(control);
    }

    /** A live process of this user whose command line has {@code --control SOCKET}. */
    static Optional<ProcessHandle> byControlSocket(Path control) {
        String want = control.toString();
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive).filter(h -> {
            String[] args = h.info().arguments().orElse(new String[0]);
            for (int i = 0; i + 1 < args.length; i++) {
                if (args[i].equals("--control") && args[i + 1].equals(want)) {
                    return true;
                }
            }
            return false;
        }).findFirst();
    }
}
