package io.jvirt.vmm.guest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The host tools the default guest is built with: apt-cache, apt-get, dpkg-deb, busybox. */
final class Tools {

    private static final long TIMEOUT_SECONDS = 600;

    private Tools() {
    }

    record Result(int status, String stdout, String stderr) {
        /** The last non-empty line of stderr (apt's "E: ..." line), for one-line errors. */
        String lastError() {
            String[] lines = stderr.strip().split("\n");
            for (int i = lines.length - 1; i >= 0; i--) {
                if (lines[i].startsWith("E: ")) {
                    return lines[i].strip();
                }
            }
            return lines[lines.length - 1].strip();
        }
    }

    /** Runs a command; a missing executable becomes a one-line error naming its package. */
    static Result run(Path dir, String debianPackage, String... command) {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        try {
            Path err = java.nio.file.Files.createTempFile("jvirt-guest-", ".err");
            try {
                pb.redirectError(err.toFile());
                Process p = pb.start();
                p.getOutputStream().close();
                byte[] out = p.getInputStream().readAllBytes();
                if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new GuestBuildException("default guest: '" + String.join(" ", command)
                            + "' took over " + TIMEOUT_SECONDS + " s; check the network and retry");
                }
                return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8),
                        java.nio.file.Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                java.nio.file.Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new GuestBuildException("default guest: cannot run " + command[0] + " (" + e.getMessage()
                    + "); it comes with Debian's " + debianPackage + " package: apt-get install "
                    + debianPackage, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GuestBuildException("default guest: interrupted while running " + command[0], e);
        }
    }

    /**
     * The real kernel package behind a metapackage ({@code linux-image-cloud-amd64} depends on
     * exactly one {@code linux-image-<abi>-cloud-amd64}); a concrete package is returned as is.
     */
    static String resolveKernelPackage(String pkg) {
        Result r = run(null, "apt", "apt-cache", "depends", "--no-recommends", "--no-suggests", pkg);
        if (r.status() != 0 || r.stdout().isBlank()) {
            throw new GuestBuildException("default guest: apt-cache knows no package " + pkg + " ("
                    + (r.stderr().isBlank() ? "no output" : r.lastError()) + "); run 'apt-get update'");
        }
        for (String line : r.stdout().split("\n")) {
            String l = line.strip();
            if (l.startsWith("Depends: linux-image-")) {
                return l.substring("Depends: ".length()).strip();
            }
        }
        return pkg;
    }

    /** {@code apt-get download pkg} into {@code dir}: fetches the .deb, installs nothing. */
    static void aptDownload(Path dir, String pkg) {
        Result r = run(dir, "apt", "apt-get", "download", "-q", pkg);
        if (r.status() != 0) {
            throw new GuestBuildException("default guest: 'apt-get download " + pkg + "' failed (status "
                    + r.status() + ": " + r.lastError() + "); run 'apt-get update' and check that the"
                    + " package archive is reachable");
        }
    }

    static void dpkgExtract(Path deb, Path root) {
        Result r = run(null, "dpkg", "dpkg-deb", "-x", deb.toString(), root.toString());
        if (r.status() != 0) {
            throw new GuestBuildException("default guest: 'dpkg-deb -x " + deb.getFileName() + "' failed ("
                    + r.lastError() + "); delete the download and retry");
        }
    }

    /**
     * The applet paths busybox installs (e.g. {@code bin/ls}, {@code sbin/poweroff}), from
     * {@code busybox --list-full}; the static binary runs on any x86-64 Linux host. Empty when it
     * cannot run here (then /init runs {@code busybox --install -s}).
     */
    static List<String> busyboxApplets(Path busybox) {
        try {
            Result r = run(null, "busybox-static", busybox.toString(), "--list-full");
            if (r.status() == 0) {
                return r.stdout().lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
            }
        } catch (GuestBuildException e) {
            // not runnable on this host: fall through
        }
        return List.of();
    }
}
