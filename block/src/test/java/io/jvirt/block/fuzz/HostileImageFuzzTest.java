package io.jvirt.block.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Jazzer fuzz target over opening and reading qcow2 images. The fuzzer picks a valid template
 * image (every feature: snapshots, compressed clusters, extended L2, backing name, refcount
 * widths) and where and how to corrupt it. With JAZZER_FUZZ=1 (set for this module's test
 * run) it fuzzes for a bounded time; without it, it replays the inputs found so far.
 */
class HostileImageFuzzTest {

    private static Path file;

    @FuzzTest(maxDuration = "20s")
    void openAndRead(FuzzedDataProvider data) throws Exception {
        List<byte[]> t = HostileImages.templates();
        byte[] img = t.get(data.consumeInt(0, t.size() - 1)).clone();
        int n = data.consumeInt(1, 12);
        for (int i = 0; i < n && data.remainingBytes() > 0; i++) {
            int pos = data.consumeBoolean() ? data.consumeInt(0, Math.min(img.length, 1024) - 1)
                    : data.consumeInt(0, img.length - 1);
            if (data.consumeBoolean()) {
                long v = data.consumeLong();
                for (int k = 0; k < 8 && pos + k < img.length; k++) {
                    img[pos + k] = (byte) (v >>> (56 - 8 * k));
                }
            } else {
                img[pos] = data.consumeByte();
            }
        }
        if (data.remainingBytes() > 8) {
            img = HostileImages.mutate(img, new Random(data.consumeLong()), data.consumeInt(0, 4));
        }
        synchronized (HostileImageFuzzTest.class) {
            if (file == null) {
                file = Files.createTempFile("fuzz", ".qcow2");
                file.toFile().deleteOnExit();
            }
        }
        HostileImages.exercise(file, img);
    }
}
