package io.jvirt.vmm.accel.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Assembles a tiny test guest with binutils (as + ld --oformat=binary), linked at a load address. */
final class GuestAsm {

    private GuestAsm() {
    }

    static byte[] assemble(Path dir, String name, long loadAddress, String source) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/as")) && Files.isExecutable(Path.of("/usr/bin/ld")),
                "binutils (as, ld) not installed; scripts/install-deps installs gcc, which brings them");
        Path src = dir.resolve(name + ".S");
        Path obj = dir.resolve(name + ".o");
        Path bin = dir.resolve(name + ".bin");
        Files.writeString(src, source + "\n");
        run(List.of("as", "-o", obj.toString(), src.toString()));
        run(List.of("ld", "-e", "0", "-Ttext=0x" + Long.toHexString(loadAddress), "--oformat=binary",
                "-o", bin.toString(), obj.toString()));
        return Files.readAllBytes(bin);
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), command + " timed out");
        assertEquals(0, p.exitValue(), command + " failed:\n" + out);
    }
}
