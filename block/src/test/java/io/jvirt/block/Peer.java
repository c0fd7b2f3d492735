package io.jvirt.block;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Runs the reference peers, qemu-img and qemu-io (Debian's qemu-utils). */
public final class Peer {

    /** Exit status and output of one peer run. */
    public record Result(int exit, String out, String err) {
    }

    private Peer() {
    }

    public static void assumeInstalled() {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-img")),
                "qemu-img is not installed (apt-get install qemu-utils)");
    }

    public static Result run(String... cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile("peer", ".out");
        Path err = Files.createTempFile("peer", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile())
                    .redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timeout: " + String.join(" ", cmd));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Runs and requires exit 0. */
    public static String ok(String... cmd) throws IOException, InterruptedException {
        Result r = run(cmd);
        if (r.exit() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " -> exit " + r.exit() + "\n"
                    + r.out() + r.err());
        }
        return r.out();
    }

    public static String qemuImg(String... args) throws IOException, InterruptedException {
        List<String> c = new ArrayList<>(List.of("qemu-img"));
        c.addAll(List.of(args));
        return ok(c.toArray(String[]::new));
    }

    /** qemu-io with several -c commands on one image. */
    public static String qemuIo(Path img, String fmt, String... commands)
            throws IOException, InterruptedException {
        List<String> c = new ArrayList<>(List.of("qemu-io", "-f", fmt));
        for (String s : commands) {
            c.add("-c");
            c.add(s);
        }
        c.add(img.toString());
        return ok(c.toArray(String[]::new));
    }

    /** The image's guest contents as qemu sees them. */
    public static byte[] contents(Path img) throws IOException, InterruptedException {
        Path raw = Files.createTempFile(img.getParent(), "contents", ".raw");
        try {
            qemuImg("convert", "-O", "raw", img.toString(), raw.toString());
            return Files.readAllBytes(raw);
        } finally {
            Files.deleteIfExists(raw);
        }
    }

    /** Reads every byte through jvirt's library. */
    public static byte[] readAll(Path img) throws IOException {
        try (BlockDevice d = Images.open(img, null, true)) {
            byte[] b = new byte[(int) d.size()];
            d.read(0, b, 0, b.length);
            return b;
        }
    }
}
