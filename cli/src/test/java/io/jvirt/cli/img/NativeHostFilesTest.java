package io.jvirt.cli.img;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvirt.block.BlockDevice;
import io.jvirt.block.Extent;
import io.jvirt.block.HostFiles;
import io.jvirt.block.Images;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jvirt img with the native host-file services, against qemu-img on the same files: holes of a
 * raw source are skipped and mapped as qemu maps them, discard punches holes (raw, and freed
 * qcow2 clusters), preallocation=falloc reserves blocks where metadata does not, and "disk size"
 * is the allocated size qemu-img reports.
 */
class NativeHostFilesTest {

    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    @BeforeAll
    static void setUp() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-img")),
                "qemu-img not installed (scripts/install-deps installs qemu-utils)");
        NativeHostFiles.install();
        assertTrue(HostFiles.installed() instanceof NativeHostFiles && NativeHostFiles.available(),
                "native services did not install (is --enable-native-access set?)");
    }

    private String p(String name) {
        return dir.resolve(name).toString();
    }

    private static String img(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = ImgCommand.run(args, new PrintStream(out, true), new PrintStream(err, true));
        assertEquals(0, rc, "jvirt img " + String.join(" ", args) + ": " + err);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String qemuImg(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("qemu-img"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), cmd + ": " + out);
        return out;
    }

    private static String line(String info, String key) {
        return info.lines().filter(l -> l.startsWith(key)).findFirst().orElse(key + " missing");
    }

    private static long allocated(String file) throws Exception {
        return HostFiles.allocatedBytes(Path.of(file));
    }

    /** Allocated sizes: the file system may count a block or a few of its own (extent trees). */
    private static void assertAbout(long want, long have) {
        assertTrue(Math.abs(want - have) <= 64 << 10, "allocated " + have + ", expected about " + want);
    }

    /** 16 MiB: 1 MiB data extents with holes between, and a zero-filled (allocated) extent. */
    private void sparseRaw(String file) throws Exception {
        Random r = new Random(5);
        try (FileChannel ch = FileChannel.open(Path.of(file), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            byte[] b = new byte[MIB];
            for (int i = 0; i < 16; i += 3) {
                r.nextBytes(b);
                ch.write(ByteBuffer.wrap(b), (long) i * MIB);
            }
            ch.write(ByteBuffer.wrap(new byte[MIB]), 7L * MIB);   // written zeroes
            ch.truncate(16L * MIB);
        }
    }

    @Test
    void rawHolesAreMappedAndSkippedLikeQemu() throws Exception {
        sparseRaw(p("s.raw"));
        assertEquals(qemuImg("map", "--output=json", p("s.raw")), img("map", "--output=json", p("s.raw")));
        try (BlockDevice d = Images.open(Path.of(p("s.raw")), "raw", true)) {
            Extent e = d.status(MIB, 16L * MIB);
            assertEquals(new Extent(MIB, 2L * MIB, false, true, 0, true, MIB, p("s.raw")), e);
        }
        img("convert", "-O", "qcow2", p("s.raw"), p("j.qcow2"));
        qemuImg("convert", "-O", "qcow2", p("s.raw"), p("q.qcow2"));
        qemuImg("compare", p("s.raw"), p("j.qcow2"));
        // holes and the zero extent (-S 4k default) are left unallocated, as qemu-img does
        assertEquals(qemuImg("map", "--output=json", p("q.qcow2")).replaceAll("\"offset\": \\d+", ""),
                img("map", "--output=json", p("j.qcow2")).replaceAll("\"offset\": \\d+", ""));
        // -S 0: no scanning, the target is fully allocated (holes included), as qemu-img does
        img("convert", "-S", "0", "-O", "qcow2", p("s.raw"), p("full.qcow2"));
        qemuImg("compare", p("s.raw"), p("full.qcow2"));
        String full = img("map", "--output=json", p("full.qcow2"));
        assertTrue(!full.contains("\"data\": false"), full);
        img("convert", "-O", "raw", p("j.qcow2"), p("back.raw"));
        qemuImg("compare", p("s.raw"), p("back.raw"));
        assertAbout(allocated(p("s.raw")) - MIB, allocated(p("back.raw")));
    }

    @Test
    void diskSizeIsTheAllocatedSizeQemuReports() throws Exception {
        sparseRaw(p("s.raw"));
        qemuImg("create", "-f", "qcow2", p("c.qcow2"), "64M");
        img("convert", "-O", "qcow2", p("s.raw"), p("j.qcow2"));
        for (String f : List.of("s.raw", "c.qcow2", "j.qcow2")) {
            assertEquals(line(qemuImg("info", p(f)), "disk size:"), line(img("info", p(f)), "disk size:"), f);
            assertEquals(line(qemuImg("info", "--output=json", p(f)), "    \"actual-size\""),
                    line(img("info", "--output=json", p(f)), "    \"actual-size\""), f);
        }
    }

    @Test
    void discardPunchesHolesInRawAndInFreedQcow2Clusters() throws Exception {
        sparseRaw(p("s.raw"));
        long before = allocated(p("s.raw"));
        try (BlockDevice d = Images.open(Path.of(p("s.raw")), "raw", false)) {
            d.discard(3L * MIB, MIB);
        }
        assertAbout(before - MIB, allocated(p("s.raw")));

        img("create", "-f", "qcow2", p("d.qcow2"), "32M");
        try (BlockDevice d = Images.open(Path.of(p("d.qcow2")), "qcow2", false)) {
            byte[] b = new byte[8 * MIB];
            new Random(1).nextBytes(b);
            d.write(0, ByteBuffer.wrap(b));
            d.flush();
            long full = allocated(p("d.qcow2"));
            d.discard(MIB, 4L * MIB);
            d.flush();      // the freed clusters are released (and punched) after write-back
            assertAbout(full - 4L * MIB, allocated(p("d.qcow2")));
            d.write(16L * MIB, ByteBuffer.wrap(b, 0, 2 * MIB));   // reuses freed clusters
        }
        String check = qemuImg("check", p("d.qcow2"));
        assertTrue(check.contains("No errors were found"), check);
    }

    @Test
    void fallocReservesBlocksMetadataDoesNot() throws Exception {
        img("create", "-f", "qcow2", "-o", "preallocation=metadata", p("m.qcow2"), "64M");
        img("create", "-f", "qcow2", "-o", "preallocation=falloc", p("f.qcow2"), "64M");
        img("create", "-f", "raw", "-o", "preallocation=falloc", p("f.raw"), "64M");
        assertTrue(allocated(p("m.qcow2")) < MIB, "metadata: " + allocated(p("m.qcow2")));
        assertTrue(allocated(p("f.qcow2")) >= 64L * MIB, "falloc: " + allocated(p("f.qcow2")));
        assertEquals(64L * MIB, allocated(p("f.raw")));
        assertEquals(Files.size(Path.of(p("m.qcow2"))), Files.size(Path.of(p("f.qcow2"))));
        qemuImg("create", "-f", "qcow2", "-o", "preallocation=falloc", p("q.qcow2"), "64M");
        assertEquals(line(qemuImg("info", p("q.qcow2")), "disk size:"), line(img("info", p("f.qcow2")), "disk size:"));
        String check = qemuImg("check", p("f.qcow2"));
        assertTrue(check.contains("No errors were found"), check);
    }
}
