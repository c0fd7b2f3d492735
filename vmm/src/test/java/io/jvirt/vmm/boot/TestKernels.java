package io.jvirt.vmm.boot;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvirt.testkit.DebianKernel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real kernels for boot-protocol tests: Debian's cloud kernel ({@link DebianKernel}: apt-get
 * download + dpkg-deb -x into ~/.cache/jvirt-test, never installed) and small freestanding
 * ELF64 payloads built with gcc. Tests skip with the reason when apt or gcc are unavailable.
 */
public final class TestKernels {

    private TestKernels() {
    }

    /** /boot/vmlinuz-*-cloud-amd64 from linux-image-cloud-amd64's dependency ({@link DebianKernel}), downloaded once. */
    public static Path debianBzImage() {
        return DebianKernel.ensure().vmlinuz();
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
