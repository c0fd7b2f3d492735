import io.jvirt.block.BlockDevice;
import io.jvirt.block.Images;
import io.jvirt.block.tool.ImgTool;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * jvirt img vs qemu-img / qemu-io, side by side (see README.md). Run by ./run with the block
 * module's classes on the class path: java -cp ... ImgBench.java WORKDIR [SIZE_MIB] [OPS].
 */
public class ImgBench {

    record Row(String name, double qemu, double jvirt) {
    }

    static final List<Row> rows = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long size = (args.length > 1 ? Long.parseLong(args[1]) : 1024) << 20;
        int ops = args.length > 2 ? Integer.parseInt(args[2]) : 20000;
        Files.createDirectories(dir);
        // as jvirt itself does at start-up: holes, punching and fallocate through the sys module
        io.jvirt.cli.img.NativeHostFiles.install();
        System.out.println("host-file services: " + io.jvirt.block.HostFiles.installed().getClass()
                .getSimpleName());
        Path src = dir.resolve("src.raw");
        makeSource(src, size);
        System.out.printf(Locale.ROOT, "source: %s, %d MiB, mixed data and holes%n", src, size >> 20);

        Path q = dir.resolve("q.qcow2");
        Path j = dir.resolve("j.qcow2");
        rows.add(pair("convert raw->qcow2",
                () -> exec("qemu-img", "convert", "-O", "qcow2", src.toString(), q.toString()),
                () -> tool("convert", "-O", "qcow2", src.toString(), j.toString())));
        Path qr = dir.resolve("q.raw");
        Path jr = dir.resolve("j.raw");
        rows.add(pair("convert qcow2->raw",
                () -> exec("qemu-img", "convert", "-O", "raw", q.toString(), qr.toString()),
                () -> tool("convert", "-O", "raw", j.toString(), jr.toString())));
        exec("qemu-img", "compare", src.toString(), j.toString());
        exec("qemu-img", "compare", src.toString(), jr.toString());

        long[] offs = offsets(size, ops, 7);
        Path cmds = dir.resolve("reads.qemu-io");
        writeCommands(cmds, "read -q", offs);
        rows.add(pair("4k random read (" + ops + ")",
                () -> execIn(cmds, "qemu-io", "-f", "qcow2", q.toString()),
                () -> randomIo(j, offs, false)));
        Path wq = dir.resolve("wq.qcow2");
        Path wj = dir.resolve("wj.qcow2");
        long[] woffs = offsets(size, ops, 11);
        Path wcmds = dir.resolve("writes.qemu-io");
        writeCommands(wcmds, "write -q -P 0x5a", woffs);
        rows.add(pair("4k random write (" + ops + ")",
                () -> {
                    Files.copy(q, wq, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    return execIn(wcmds, "qemu-io", "-f", "qcow2", wq.toString());
                },
                () -> {
                    Files.copy(j, wj, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    return randomIo(wj, woffs, true);
                }));
        exec("qemu-img", "check", wj.toString());
        exec("qemu-img", "compare", wq.toString(), wj.toString());

        System.out.println();
        System.out.printf(Locale.ROOT, "%-28s %12s %12s %8s%n", "operation", "qemu (s)", "jvirt (s)",
                "ratio");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "%-28s %12.3f %12.3f %8.2f%n", r.name(), r.qemu(),
                    r.jvirt(), r.qemu() / r.jvirt());
        }
        System.out.println("ratio = qemu time / jvirt time (>= 1.0: jvirt is as fast or faster)");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "RATIO %s %.2f%n", r.name().replace(' ', '_'),
                    r.qemu() / r.jvirt());
        }
    }

    interface Timed {
        double run() throws Exception;
    }

    /**
     * Best of seven runs of each side, alternating qemu and jvirt so that both meet the same
     * machine load (a shared machine's load changes within seconds); best-of also takes JIT
     * warm-up out of jvirt's numbers.
     */
    static Row pair(String name, Timed qemu, Timed jvirt) throws Exception {
        double bq = Double.MAX_VALUE;
        double bj = Double.MAX_VALUE;
        for (int i = 0; i < 7; i++) {
            bq = Math.min(bq, qemu.run());
            bj = Math.min(bj, jvirt.run());
        }
        return new Row(name, bq, bj);
    }

    static double exec(String... cmd) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor() != 0) {
            throw new IOException("failed: " + String.join(" ", cmd));
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    static double execIn(Path stdin, String... cmd) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectInput(stdin.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor() != 0) {
            throw new IOException("failed: " + String.join(" ", cmd));
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The jvirt img command in this JVM (no JVM start-up in the time). */
    static double tool(String... args) throws IOException {
        Files.deleteIfExists(Path.of(args[args.length - 1]));
        long t0 = System.nanoTime();
        int rc = ImgTool.run(args, System.out, System.err);
        if (rc != 0) {
            throw new IOException("jvirt img failed: " + String.join(" ", args));
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    static double randomIo(Path img, long[] offs, boolean write) throws IOException {
        long t0 = System.nanoTime();
        try (BlockDevice d = Images.open(img, "qcow2", !write)) {
            ByteBuffer b = ByteBuffer.allocateDirect(4096);
            byte[] pat = new byte[4096];
            java.util.Arrays.fill(pat, (byte) 0x5a);
            for (long o : offs) {
                b.clear();
                if (write) {
                    b.put(pat).flip();
                    d.write(o, b);
                } else {
                    d.read(o, b);
                }
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    static long[] offsets(long size, int n, long seed) {
        Random r = new Random(seed);
        long[] o = new long[n];
        for (int i = 0; i < n; i++) {
            o[i] = (long) r.nextInt((int) (size >> 12)) << 12;
        }
        return o;
    }

    static void writeCommands(Path f, String verb, long[] offs) throws IOException {
        StringBuilder b = new StringBuilder();
        for (long o : offs) {
            b.append(verb).append(' ').append(o).append(" 4k\n");
        }
        b.append("quit\n");
        Files.writeString(f, b);
    }

    /** 1 MiB extents: 45% random data, 15% text-like data, 10% explicit zeroes, 30% holes. */
    static void makeSource(Path src, long size) throws IOException {
        if (Files.exists(src) && Files.size(src) == size) {
            return;
        }
        Random r = new Random(1);
        byte[] buf = new byte[1 << 20];
        try (FileChannel ch = FileChannel.open(src, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long p = 0; p < size; p += buf.length) {
                int k = r.nextInt(100);
                if (k < 45) {
                    r.nextBytes(buf);
                } else if (k < 60) {
                    for (int i = 0; i < buf.length; i++) {
                        buf[i] = (byte) ('a' + (i * 7 + (i >> 9)) % 26);
                    }
                } else if (k < 70) {
                    java.util.Arrays.fill(buf, (byte) 0);
                } else {
                    continue;
                }
                ch.write(ByteBuffer.wrap(buf), p);
            }
            ch.truncate(size);
            if (ch.size() < size) {
                ch.write(ByteBuffer.allocate(1), size - 1);
            }
        }
    }
}
