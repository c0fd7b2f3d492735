package io.jvirt.block.fuzz;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random mutations of valid images (header, extensions, L1/L2, refcount tables,
 * snapshot table, backing file names, compressed cluster descriptors): every one opens and
 * reads without an uncaught exception, hang or runaway allocation. Runs without the peer.
 */
class HostileImageTest {

    @TempDir
    Path dir;

    @Test
    void mutatedImagesFailCleanly() throws Exception {
        List<byte[]> t = HostileImages.templates();
        Random r = new Random(Long.getLong("hostile.seed", 20261122L));
        int rounds = Integer.getInteger("hostile.rounds", 3000);
        System.out.println("hostile rounds " + rounds + " seed " + Long.getLong("hostile.seed", 20261122L));
        for (int i = 0; i < rounds; i++) {
            byte[] base = t.get(r.nextInt(t.size()));
            byte[] img = HostileImages.mutate(base, r, 1 + r.nextInt(8));
            try {
                HostileImages.exercise(dir.resolve("h.qcow2"), img);
            } catch (AssertionError e) {
                java.nio.file.Files.write(Path.of("/tmp/hostile-failure.qcow2"), img);
                throw new AssertionError("mutation " + i + " (image saved to "
                        + "/tmp/hostile-failure.qcow2): " + e.getMessage(), e);
            }
        }
    }
}
