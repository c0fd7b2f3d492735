package io.jvirt.block.tool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.block.Peer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code jvirt img} side by side with qemu-img: outputs, exit statuses and results. */
class ImgToolTest {

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    @BeforeAll
    static void peer() {
        Peer.assumeInstalled();
    }

    static Run img(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int rc = ImgTool.run(args, new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Run(rc, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    static Run ok(String... args) {
        Run r = img(args);
        assertEquals(0, r.exit(), String.join(" ", args) + "\n" + r.out() + r.err());
        return r;
    }

    String p(String name) {
        return dir.resolve(name).toString();
    }

    static String withoutDiskSize(String s) {
        return s.lines().filter(l -> !l.startsWith("disk size:") && !l.contains("actual-size")
                && !l.contains("full-backing-filename")).collect(Collectors.joining("\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"compat=1.1", "compat=0.10", "cluster_size=512",
        "cluster_size=2M,refcount_bits=64", "refcount_bits=1", "lazy_refcounts=on",
        "extended_l2=on", "compression_type=zstd", "preallocation=metadata",
        "preallocation=full,cluster_size=16k", "refcount_bits=4,cluster_size=4k"})
    void createMatchesQemu(String opts) throws Exception {
        ok("create", "-q", "-f", "qcow2", "-o", opts, p("j.qcow2"), "5M");
        Peer.qemuImg("create", "-q", "-f", "qcow2", "-o", opts, p("q.qcow2"), "5M");
        Peer.ok("qemu-img", "check", p("j.qcow2"));
        String theirs = Peer.qemuImg("info", p("q.qcow2")).replace("q.qcow2", "X");
        String ours = Peer.qemuImg("info", p("j.qcow2")).replace("j.qcow2", "X");
        assertEquals(withoutDiskSize(theirs), withoutDiskSize(ours), opts);
        assertEquals(withoutDiskSize(theirs), withoutDiskSize(ok("info", p("q.qcow2")).out()
                .replace("q.qcow2", "X")), "jvirt img info vs qemu-img info, " + opts);
        assertEquals(withoutDiskSize(Peer.qemuImg("info", "--output=json", p("q.qcow2"))),
                withoutDiskSize(ok("info", "--output=json", p("q.qcow2")).out()), opts);
        String m = opts.replaceAll(",?preallocation=[a-z]+", "").replaceAll("^,", "");
        if (m.isEmpty()) {
            m = "cluster_size=64k";
        }
        assertEquals(Peer.qemuImg("measure", "-O", "qcow2", "-o", m, "--size", "7G"),
                ok("measure", "-O", "qcow2", "-o", m, "--size", "7G").out(), opts);
    }

    @Test
    void snapshotsInterchange() throws Exception {
        ok("create", "-q", "-f", "qcow2", p("s.qcow2"), "4M");
        Peer.qemuIo(dir.resolve("s.qcow2"), "qcow2", "write -P 1 0 1M");
        ok("snapshot", "-c", "mine", p("s.qcow2"));
        Peer.qemuImg("snapshot", "-c", "theirs", p("s.qcow2"));
        Peer.qemuIo(dir.resolve("s.qcow2"), "qcow2", "write -P 2 0 2M");
        String ql = Peer.qemuImg("snapshot", "-l", p("s.qcow2"));
        String jl = ok("snapshot", "-l", p("s.qcow2")).out();
        assertEquals(ql, jl);
        assertTrue(jl.contains(" mine ") && jl.contains(" theirs "), jl);
        ok("snapshot", "-a", "theirs", p("s.qcow2"));
        Peer.ok("qemu-img", "check", p("s.qcow2"));
        byte[] want = new byte[4 << 20];
        Arrays.fill(want, 0, 1 << 20, (byte) 1);
        assertArrayEquals(want, Peer.contents(dir.resolve("s.qcow2")));
        Peer.qemuIo(dir.resolve("s.qcow2"), "qcow2", "write -P 3 0 2M");
        Peer.qemuImg("snapshot", "-a", "mine", p("s.qcow2"));
        assertArrayEquals(want, Peer.readAll(dir.resolve("s.qcow2")));
        ok("snapshot", "-d", "mine", p("s.qcow2"));
        Peer.qemuImg("snapshot", "-d", "theirs", p("s.qcow2"));
        assertEquals("", ok("snapshot", "-l", p("s.qcow2")).out());
        Peer.ok("qemu-img", "check", p("s.qcow2"));
    }

    /** Raises or zeroes one refcount entry (16-bit refcounts, block at the table's first entry). */
    void setRefcount(Path img, long cluster, int value) throws Exception {
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(8);
            ch.read(b, 48);
            long rt = b.getLong(0);
            b.clear();
            ch.read(b, rt);
            long block = b.getLong(0);
            ch.write(ByteBuffer.allocate(2).putShort(0, (short) value), block + 2 * cluster);
        }
    }

    @Test
    void checkReportsAndRepairsLikeQemu() throws Exception {
        Path img = dir.resolve("c.qcow2");
        Peer.qemuImg("create", "-q", "-f", "qcow2", img.toString(), "4M");
        Peer.qemuIo(img, "qcow2", "write -P 9 0 256k");
        assertEquals(Peer.qemuImg("check", img.toString()), ok("check", img.toString()).out());
        setRefcount(img, 0, 2); // the header cluster counted twice: a leak
        Peer.Result q = Peer.run("qemu-img", "check", img.toString());
        Run j = img("check", img.toString());
        assertEquals(3, q.exit());
        assertEquals(q.exit(), j.exit());
        assertEquals(q.out(), j.out());
        assertEquals(q.err(), j.err());
        assertEquals(Peer.run("qemu-img", "check", "--output=json", img.toString()).out(),
                img("check", "--output=json", img.toString()).out());
        Run fixed = img("check", "-r", "leaks", img.toString());
        assertEquals(0, fixed.exit(), fixed.out() + fixed.err());
        assertTrue(fixed.out().contains("1 leaked clusters"), fixed.out());
        Peer.ok("qemu-img", "check", img.toString());
        setRefcount(img, 5, 0); // a data cluster now counts zero: corruption
        assertEquals(2, Peer.run("qemu-img", "check", img.toString()).exit());
        assertEquals(2, img("check", img.toString()).exit());
        assertEquals(0, img("check", "-r", "all", img.toString()).exit());
        Peer.ok("qemu-img", "check", img.toString());
        byte[] want = new byte[4 << 20];
        Arrays.fill(want, 0, 256 << 10, (byte) 9);
        assertArrayEquals(want, Peer.contents(img));
    }

    @Test
    void convertResizeCompareMap() throws Exception {
        byte[] data = new byte[6 << 20];
        Random r = new Random(5);
        for (int i = 0; i < data.length; i += 4096) {
            if (r.nextInt(3) == 0) {
                Arrays.fill(data, i, i + 4096, (byte) r.nextInt(4));
            }
        }
        Files.write(dir.resolve("src.raw"), data);
        ok("convert", "-O", "qcow2", p("src.raw"), p("a.qcow2"));
        ok("convert", "-c", "-O", "qcow2", "-o", "compression_type=zstd", p("src.raw"), p("c.qcow2"));
        ok("convert", "-p", "-S", "0", "-O", "raw", p("c.qcow2"), p("back.raw"));
        Peer.ok("qemu-img", "check", p("a.qcow2"));
        Peer.ok("qemu-img", "check", p("c.qcow2"));
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("back.raw")));
        assertEquals(0, Peer.run("qemu-img", "compare", p("src.raw"), p("c.qcow2")).exit());
        assertEquals(0, img("compare", p("src.raw"), p("a.qcow2")).exit());
        Peer.qemuIo(dir.resolve("a.qcow2"), "qcow2", "write -P 77 1M 512");
        Run diff = img("compare", p("src.raw"), p("a.qcow2"));
        assertEquals(1, diff.exit());
        assertEquals(Peer.run("qemu-img", "compare", p("src.raw"), p("a.qcow2")).out(), diff.out());
        assertEquals(1, img("resize", p("a.qcow2"), "1M").exit(), "shrink needs --shrink");
        ok("resize", p("a.qcow2"), "+2M");
        ok("resize", "--shrink", p("a.qcow2"), "5M");
        Peer.ok("qemu-img", "check", p("a.qcow2"));
        assertEquals(5 << 20, Peer.contents(dir.resolve("a.qcow2")).length);
        // map agrees with qemu-img where clusters are written whole
        Peer.qemuImg("create", "-q", "-f", "qcow2", p("m.qcow2"), "8M");
        Peer.qemuIo(dir.resolve("m.qcow2"), "qcow2", "write -P 1 0 128k", "write -z 1M 64k",
                "write -P 2 3M 192k", "write -c -P 3 6M 64k");
        assertEquals(Peer.qemuImg("map", "--output=json", p("m.qcow2")),
                ok("map", "--output=json", p("m.qcow2")).out());
        assertEquals(Peer.run("qemu-img", "map", p("m.qcow2")).exit(), img("map", p("m.qcow2")).exit());
        assertEquals(Peer.qemuImg("measure", "-O", "qcow2", p("m.qcow2")),
                ok("measure", "-O", "qcow2", p("m.qcow2")).out());
    }

    @Test
    void commitRebaseAmend() throws Exception {
        Peer.qemuImg("create", "-q", "-f", "qcow2", p("base.qcow2"), "4M");
        Peer.qemuIo(dir.resolve("base.qcow2"), "qcow2", "write -P 1 0 4M");
        ok("create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", p("top.qcow2"));
        Peer.qemuIo(dir.resolve("top.qcow2"), "qcow2", "write -P 2 1M 64k", "write -z 2M 64k");
        byte[] view = Peer.contents(dir.resolve("top.qcow2"));
        // rebase onto nothing (safe): the top image must keep its contents
        Peer.ok("cp", p("top.qcow2"), p("flat.qcow2"));
        ok("rebase", "-b", "", p("flat.qcow2"));
        Peer.ok("qemu-img", "check", p("flat.qcow2"));
        assertTrue(!Peer.qemuImg("info", p("flat.qcow2")).contains("backing file"));
        assertArrayEquals(view, Peer.contents(dir.resolve("flat.qcow2")));
        // rebase -u only rewrites the name
        ok("rebase", "-u", "-b", "base.qcow2", "-F", "qcow2", p("flat.qcow2"));
        assertTrue(Peer.qemuImg("info", p("flat.qcow2")).contains("backing file: base.qcow2"));
        ok("commit", p("top.qcow2"));
        Peer.ok("qemu-img", "check", p("base.qcow2"));
        Peer.ok("qemu-img", "check", p("top.qcow2"));
        assertArrayEquals(view, Peer.contents(dir.resolve("base.qcow2")));
        assertArrayEquals(view, Peer.contents(dir.resolve("top.qcow2")));
        ok("amend", "-o", "lazy_refcounts=on", p("base.qcow2"));
        assertTrue(Peer.qemuImg("info", p("base.qcow2")).contains("lazy refcounts: true"));
        ok("amend", "-o", "compat=0.10", "-f", "qcow2", p("flat.qcow2"));
        assertTrue(Peer.qemuImg("info", p("flat.qcow2")).contains("compat: 0.10"));
        Peer.ok("qemu-img", "check", p("flat.qcow2"));
    }

    @Test
    void errorsAreOneLineWithQemuExitStatus() throws Exception {
        Run r = img("info", p("missing.qcow2"));
        assertEquals(1, r.exit());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("missing.qcow2"), r.err());
        r = img("create", "-f", "qcow2", "-o", "cluster_size=3000", p("bad.qcow2"), "1M");
        assertEquals(1, r.exit());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("3000") && r.err().contains("power of two"), r.err());
        r = img("create", "-f", "qcow2", "-o", "bogus=1", p("bad.qcow2"), "1M");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("bogus"), r.err());
        Files.write(dir.resolve("r.raw"), new byte[4096]);
        r = img("check", p("r.raw"));
        assertEquals(Peer.run("qemu-img", "check", p("r.raw")).exit(), r.exit());
        // an unknown incompatible feature is refused by name
        Peer.qemuImg("create", "-q", "-f", "qcow2", p("f.qcow2"), "1M");
        try (FileChannel ch = FileChannel.open(dir.resolve("f.qcow2"), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(8).putLong(0, 1L << 9), 72);
        }
        r = img("info", p("f.qcow2"));
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("unsupported incompatible feature") && r.err().contains("bit 9"),
                r.err());
    }
}
