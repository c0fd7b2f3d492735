package io.jvirt.manager.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a process (SIGKILL) in the middle of a stream of atomic writes, many times, and checks
 * that the file always holds one complete version and that the store's sweep removes the
 * temporary files the kills left.
 */
class AtomicFilesTest {

    @TempDir
    Path dir;

    /** The writer process: rewrites TARGET forever, alternating two 256 KiB versions. */
    public static final class Writer {
        public static void main(String[] args) throws Exception {
            Path target = Path.of(args[0]);
            byte[][] versions = {new byte[256 * 1024], new byte[256 * 1024]};
            java.util.Arrays.fill(versions[0], (byte) 'a');
            java.util.Arrays.fill(versions[1], (byte) 'b');
            AtomicFiles.write(target, versions[0]);
            System.out.println("ready");
            System.out.flush();
            for (int i = 1; ; i++) {
                AtomicFiles.write(target, versions[i & 1]);
            }
        }
    }

    @Test
    void killedWriterNeverLeavesAHalfWrittenFile() throws Exception {
        Path target = dir.resolve("domains").resolve("vm.xml");
        Random rnd = new Random(20261122);
        String java = ProcessHandle.current().info().command().orElseThrow();
        for (int round = 0; round < 6; round++) {
            Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Writer.class.getName(),
                    target.toString()).redirectErrorStream(true).start();
            String ready = new String(p.getInputStream().readNBytes(6));
            assertEquals("ready\n", ready, "writer did not start");
            Thread.sleep(20 + rnd.nextInt(200));
            p.destroyForcibly().waitFor();
            byte[] b = Files.readAllBytes(target);
            assertEquals(256 * 1024, b.length, "round " + round + ": truncated file");
            byte first = b[0];
            for (byte x : b) {
                if (x != first) {
                    throw new AssertionError("round " + round + ": file mixes two versions");
                }
            }
        }
        AtomicFiles.sweep(target.getParent());
        try (var s = Files.list(target.getParent())) {
            assertEquals(List.of(target), s.toList());
        }
    }

    @Test
    void storeLayoutIsOwnerOnly() throws Exception {
        Store s = new Store(dir.resolve("jvirt"));
        s.init();
        s.put("domains/a.xml", "<domain/>\n");
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("jvirt/domains"))));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("jvirt/domains/a.xml"))));
        assertEquals(List.of("a"), s.list("domains", ".xml"));
        s.remove("domains/a.xml");
        assertTrue(s.list("domains", ".xml").isEmpty());
    }
}
