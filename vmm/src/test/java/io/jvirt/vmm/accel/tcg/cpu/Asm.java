package io.jvirt.vmm.accel.tcg.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Assembles GNU-as source to a flat binary with the host's binutils (as + ld). */
final class Asm {
    private Asm() {
    }

    static byte[] assemble(String source) {
        return assemble(source, Machine.CODE);
    }

    /** Assembles and links {@code source} to run at guest address {@code base}. */
    static byte[] assemble(String source, long base) {
        try {
            Path dir = Files.createTempDirectory("jvirt-asm");
            Path s = dir.resolve("t.s");
            Path o = dir.resolve("t.o");
            Path bin = dir.resolve("t.bin");
            Files.writeString(s, source + "\n");
            run(dir, "as", "--64", "-o", o.toString(), s.toString());
            run(dir, "ld", "-m", "elf_x86_64", "-Ttext=0x" + Long.toHexString(base), "--oformat", "binary",
                    "-o", bin.toString(), o.toString());
            byte[] b = Files.readAllBytes(bin);
            for (Path p : new Path[]{s, o, bin}) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
            return b;
        } catch (IOException e) {
            Assumptions.abort("binutils (as, ld) not usable: " + e.getMessage());
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
