package io.jvirt.manager.driver;

import io.jvirt.manager.VirtException;
import io.jvirt.manager.VolumeInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Volumes as files in the pool's directory. Raw files are sparse; qcow2 images are made and
 * resized with the block module's image tool ({@code jvirt img}). Every new
 * file is built under a temporary name and renamed into place, so a crash never leaves a
 * half-made volume under its real name.
 */
final class DirVolumes implements Volumes {

    // QEMU docs/interop/qcow2.txt: magic "QFI\xfb" at offset 0, virtual size (u64 BE) at offset 24.
    private static final int QCOW2_MAGIC = 0x514649fb;
    private static final int QCOW2_SIZE_OFFSET = 24;

    private static Path dir(Pool p) {
        return Path.of(p.path);
    }

    static VirtException io(String what, IOException e) {
        return new VirtException(VirtException.Code.SYSTEM, what + ": " + e.getMessage(), e);
    }

    @Override
    public void build(Pool p) throws VirtException {
        try {
            Files.createDirectories(dir(p));
        } catch (IOException e) {
            throw io("cannot create pool directory " + p.path, e);
        }
    }

    @Override
    public List<VolumeInfo> list(Pool p) throws VirtException {
        List<VolumeInfo> out = new ArrayList<>();
        try (var s = Files.list(dir(p))) {
            for (Path f : s.sorted().toList()) {
                String n = f.getFileName().toString();
                if (Files.isRegularFile(f) && !n.startsWith(".")) {
                    out.add(describe(f));
                }
            }
        } catch (IOException e) {
            throw io("cannot list pool directory " + p.path, e);
        }
        return out;
    }

    static VolumeInfo describe(Path f) throws IOException {
        long size = Files.size(f);
        try (InputStream in = Files.newInputStream(f)) {
            byte[] h = in.readNBytes(32);
            ByteBuffer b = ByteBuffer.wrap(h);
            if (h.length == 32 && b.getInt(0) == QCOW2_MAGIC) {
                return new VolumeInfo(f.getFileName().toString(), f.toString(), "qcow2", b.getLong(QCOW2_SIZE_OFFSET), size);
            }
        }
        return new VolumeInfo(f.getFileName().toString(), f.toString(), "raw", size, size);
    }

    private static Path temp(Path target) {
        return target.resolveSibling("." + target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    }

    private static void publish(Path tmp, Path target) throws IOException {
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        io.jvirt.manager.store.AtomicFiles.syncDirectory(target.getParent());
    }

    @Override
    public VolumeInfo create(Pool p, String name, long capacity, String format) throws VirtException {
        Path target = dir(p).resolve(name);
        Path tmp = temp(target);
        try {
            if (format.equals("qcow2")) {
                ImageTool.run("create", "-q", "-f", "qcow2", tmp.toString(), Long.toString(capacity));
            } else {
                try (RandomAccessFile f = new RandomAccessFile(tmp.toFile(), "rw")) {
                    f.setLength(capacity);
                }
            }
            publish(tmp, target);
            return describe(target);
        } catch (IOException e) {
            throw io("cannot create volume " + target, e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    private static void deleteQuietly(Path tmp) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException e) {
            // Left for the next sweep; it has a temporary name and is never listed.
        }
    }

    @Override
    public void delete(Pool p, VolumeInfo v) throws VirtException {
        try {
            io.jvirt.manager.store.AtomicFiles.delete(Path.of(v.path()));
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw io("cannot delete volume " + v.path(), e);
        }
    }

    @Override
    public VolumeInfo copy(Pool p, VolumeInfo source, String name) throws VirtException {
        Path target = dir(p).resolve(name);
        Path tmp = temp(target);
        try {
            Files.copy(Path.of(source.path()), tmp, StandardCopyOption.REPLACE_EXISTING);
            publish(tmp, target);
            return describe(target);
        } catch (IOException e) {
            throw io("cannot clone volume " + source.path() + " to " + target, e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    @Override
    public void resize(Pool p, VolumeInfo v, long capacity, boolean shrink) throws VirtException {
        if (capacity < v.capacity() && !shrink) {
            throw VirtException.invalidArg("Can't shrink capacity below current capacity unless shrink flag explicitly specified");
        }
        try {
            if (v.format().equals("qcow2")) {
                if (shrink && capacity < v.capacity()) {
                    ImageTool.run("resize", "-q", "--shrink", "-f", "qcow2", v.path(), Long.toString(capacity));
                } else {
                    ImageTool.run("resize", "-q", "-f", "qcow2", v.path(), Long.toString(capacity));
                }
            } else {
                try (RandomAccessFile f = new RandomAccessFile(v.path(), "rw")) {
                    f.setLength(capacity);
                    f.getFD().sync();
                }
            }
        } catch (IOException e) {
            throw io("cannot resize volume " + v.path(), e);
        }
    }

    @Override
    public long[] usage(Pool p) throws VirtException {
        if (!Files.isDirectory(dir(p))) {
            throw new VirtException(VirtException.Code.SYSTEM, "cannot open directory '" + p.path
                    + "': No such file or directory; run 'jvirt pool-build " + p.name + "'");
        }
        try {
            FileStore fs = Files.getFileStore(dir(p));
            long total = fs.getTotalSpace();
            long avail = fs.getUsableSpace();
            return new long[] {total, total - fs.getUnallocatedSpace(), avail};
        } catch (IOException e) {
            throw io("cannot stat pool directory " + p.path, e);
        }
    }

    /**
     * Runs the block module's image tool ({@code jvirt img}, qemu-img's verbs and options) in
     * process; its error output becomes the exception's message.
     */
    static final class ImageTool {
        private ImageTool() {
        }

        static void run(String... args) throws IOException {
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            int rc;
            try (java.io.PrintStream o = new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8);
                 java.io.PrintStream e = new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8)) {
                rc = io.jvirt.block.tool.ImgTool.run(args, o, e);
            }
            if (rc != 0) {
                throw new IOException("jvirt img " + String.join(" ", args) + ": "
                        + err.toString(java.nio.charset.StandardCharsets.UTF_8).strip());
            }
        }
    }
}
