package io.jvirt.vmm.guests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Builds the freestanding payload guests of {@code src/test/guests} with gcc and make into
 * {@code target/guests}, once per test JVM, and hands out their ELF paths.
 */
public final class PayloadGuests {

    /** The module directory: surefire runs tests with the module as working directory. */
    private static final Path MODULE = Path.of("").toAbsolutePath();
    public static final Path SOURCE = MODULE.resolve("src/test/guests");
    public static final Path OUTPUT = MODULE.resolve("target/guests");
    private static boolean built;

    private PayloadGuests() {
    }

    /** The ELF64 image of guest {@code name} (hello, irq, smp, poweroff, triplefault). */
    public static synchronized Path elf(String name) {
        if (!built) {
            make();
            built = true;
        }
        Path p = OUTPUT.resolve(name + ".elf");
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("payload guest " + p + " was not built; add it to GUESTS in "
                    + SOURCE.resolve("Makefile"));
        }
        return p;
    }

    private static void make() {
        if (!Files.isDirectory(SOURCE)) {
            throw new IllegalStateException("payload guest sources not found at " + SOURCE
                    + "; run the tests from the vmm module directory (mvn -pl vmm)");
        }
        ProcessBuilder pb = new ProcessBuilder("make", "-s", "-C", SOURCE.toString(), "O=" + OUTPUT)
                .redirectErrorStream(true);
        try {
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("make in " + SOURCE + " took over 120 s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("building payload guests failed (make -C " + SOURCE
                        + ", status " + p.exitValue() + "):\n" + new String(out, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run make for the payload guests (" + e.getMessage()
                    + "); install gcc and make (scripts/install-deps)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building payload guests", e);
        }
    }
}
