package io.jvirt.vmm.accel.tcg;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** GNU as source to a flat binary (as + objcopy from binutils); aborts the test without them. */
final class GuestAsm {

    private GuestAsm() {
    }

    static byte[] assemble(String source) {
        try {
            Path dir = Files.createTempDirectory("jvirt-tcgp-asm");
            try {
                Files.writeString(dir.resolve("g.s"), source + "\n");
                run(dir, "as", "--64", "-o", "g.o", "g.s");
                run(dir, "objcopy", "-O", "binary", "-j", ".text", "g.o", "g.bin");
                return Files.readAllBytes(dir.resolve("g.bin"));
            } finally {
                for (String f : new String[]{"g.s", "g.o", "g.bin"}) {
                    Files.deleteIfExists(dir.resolve(f));
                }
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            Assumptions.abort("binutils (as, objcopy) not usable: " + e.getMessage());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
        }
    }
}
