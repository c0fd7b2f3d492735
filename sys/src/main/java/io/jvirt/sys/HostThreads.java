package io.jvirt.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Scheduling priority of this process's own threads. On Linux the nice value belongs to each
 * thread: setpriority(2) with PRIO_PROCESS and a thread id changes that thread alone, and any
 * process may raise its own threads' nice values (lower their priority) without privileges.
 * Threads are found by name in /proc/self/task/TID/comm (proc(5)); HotSpot names its compiler
 * threads "C1 CompilerThre…" and "C2 CompilerThre…", and Java threads carry their Java names.
 */
public final class HostThreads {
    /** sys/resource.h: PRIO_PROCESS (with a thread id: that thread). */
    private static final int PRIO_PROCESS = 0;
    // int setpriority(int which, id_t who, int prio);
    private static final MethodHandle SETPRIORITY = Libc.errnoCall("setpriority",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));

    private HostThreads() {
    }

    /**
     * Sets nice value {@code nice} on every thread of this process whose name starts with one
     * of {@code prefixes}; returns how many it set. A thread that vanished or refuses is skipped:
     * priorities are a hint, never a reason to fail.
     */
    public static int deprioritize(int nice, String... prefixes) {
        int changed = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                String name;
                try {
                    name = Files.readString(task.resolve("comm")).strip();
                } catch (IOException gone) {
                    continue;
                }
                for (String p : prefixes) {
                    if (name.startsWith(p) && set(Integer.parseInt(task.getFileName().toString()), nice)) {
                        changed++;
                        break;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return changed; // no /proc (not Linux): nothing to do
        }
        return changed;
    }

    private static boolean set(int tid, int nice) {
        try {
            MemorySegment st = Libc.state();
            return (int) SETPRIORITY.invokeExact(st, PRIO_PROCESS, tid, nice) == 0;
        } catch (Throwable t) {
            return false;
        }
    }
}
