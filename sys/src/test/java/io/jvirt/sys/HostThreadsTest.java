package io.jvirt.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class HostThreadsTest {
    @Test
    void lowersOnlyTheNamedThread() throws Exception {
        CountDownLatch started = new CountDownLatch(2);
        CountDownLatch done = new CountDownLatch(1);
        Runnable park = () -> {
            started.countDown();
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        Thread lowered = Thread.ofPlatform().name("jvirt-nice-test").start(park);
        Thread kept = Thread.ofPlatform().name("jvirt-keep-test").start(park);
        started.await();
        try {
            int before = niceOf("jvirt-keep-test");
            assertEquals(1, HostThreads.deprioritize(7, "jvirt-nice-t"));
            assertEquals(7, niceOf("jvirt-nice-test"));
            assertEquals(before, niceOf("jvirt-keep-test"), "other threads keep their priority");
        } finally {
            done.countDown();
            lowered.join();
            kept.join();
        }
    }

    /** Field 19 of /proc/self/task/TID/stat (proc(5)) of the first thread named {@code name}. */
    private static int niceOf(String name) throws Exception {
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                if (Files.readString(task.resolve("comm")).strip().equals(name)) {
                    String stat = Files.readString(task.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    return Integer.parseInt(f[16]);
                }
            }
        }
        throw new AssertionError("no thread " + name);
    }
}
