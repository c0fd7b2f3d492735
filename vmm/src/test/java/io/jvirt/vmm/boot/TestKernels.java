package io.jvirt.vmm.boot;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Real kernels for boot-protocol tests: Debian's cloud kernel (apt-get download + dpkg-deb -x
 * into ~/.cache/jvirt-test, never installed) and small freestanding ELF64 payloads built with
 * gcc. Tests skip with the reason when apt or gcc are unavailable.
 */
public final class TestKernels {

    static final Path CACHE = Path.of(System.getProperty("user.home"), ".cache", "jvirt-test", "debian-cloud-kernel");

    private TestKernels() {
    }

    /** /boot/vmlinuz-*-cloud-amd64 from linux-image-cloud-amd64's dependency, downloaded once. */
    public static synchronized Path debianBzImage() throws IOException, InterruptedException {
        Path found = findVmlinuz(CACHE.resolve("root"));
        if (found != null) {
            return found;
        }
        String depends = run(CACHE.getParent(), "apt-cache", "depends", "linux-image-cloud-amd64");
        Matcher m = Pattern.compile("Depends: (linux-image-[0-9][^\\s]*-cloud-amd64)").matcher(depends);
        assumeTrue(m.find(), "apt-cache knows no linux-image-cloud-amd64 dependency: " + depends);
        Path tmp = Files.createTempDirectory(CACHE.getParent(), "download-");
        run(tmp, "apt-get", "download", m.group(1));
        Path deb;
        try (Stream<Path> s = Files.list(tmp)) {
            deb = s.filter(p -> p.toString().endsWith(".deb")).findFirst().orElse(null);
        }
        assumeTrue(deb != null, "apt-get download " + m.group(1) + " produced no .deb");
        run(tmp, "dpkg-deb", "-x", deb.toString(), tmp.resolve("root").toString());
        Files.delete(deb);
        try {
            Files.move(tmp, CACHE, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // another test run won the race; use its copy
        }
        found = findVmlinuz(CACHE.resolve("root"));
        assumeTrue(found != null, "no /boot/vmlinuz-* in " + deb);
        return found;
    }

    private static Path findVmlinuz(Path root) throws IOException {
        Path boot = root.resolve("boot");
        if (!Files.isDirectory(boot)) {
            return null;
        }
        try (Stream<Path> s = Files.list(boot)) {
            return s.filter(p -> p.getFileName().toString().startsWith("vmlinuz-")).findFirst().orElse(null);
        }
    }

    /**
     * Builds a freestanding ELF64 from assembly with gcc and a linker script placing .text at
     * virtual {@code vaddr}, loaded at physical {@code paddr}.
     */
    public static Path gccElf(Path dir, String name, String assembly, long vaddr, long paddr)
            throws IOException, InterruptedException {
        Path src = dir.resolve(name + ".S");
        Path lds = dir.resolve(name + ".lds");
        Path out = dir.resolve(name + ".elf");
        Files.writeString(src, assembly);
        Files.writeString(lds, String.format("""
                ENTRY(_start)
                SECTIONS {
                  . = 0x%x;
                  .text : AT(0x%x) { *(.text*) *(.rodata*) *(.data*) }
                  .bss : { *(.bss*) *(COMMON) }
                  /DISCARD/ : { *(.note*) *(.comment) *(.eh_frame*) }
                }
                """, vaddr, paddr));
        run(dir, "gcc", "-nostdlib", "-static", "-no-pie", "-ffreestanding", "-Wl,--build-id=none",
                "-Wl,-z,max-page-size=0x1000", "-Wl,-T," + lds, "-o", out.toString(), src.toString());
        return out;
    }

    static String run(Path dir, String... command) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Process p;
        try {
            p = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, command[0] + " is not available: " + e.getMessage());
            throw e;
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean done = p.waitFor(5, TimeUnit.MINUTES);
        assumeTrue(done && p.exitValue() == 0, String.join(" ", command) + " failed: " + output);
        return output;
    }
}
