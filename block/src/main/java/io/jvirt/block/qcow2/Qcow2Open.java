package io.jvirt.block.qcow2;

import io.jvirt.block.BlockDevice;
import io.jvirt.block.BlockException;
import io.jvirt.block.Images;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Opening a qcow2 file: the header, the refcount table, the backing chain, and for writing the
 * repairs an earlier session may have left due (a set dirty bit, stale autoclear bits).
 */
final class Qcow2Open {

    static final int MAX_CHAIN = 64;              // backing chain depth limit

    private Qcow2Open() {
    }

    static Qcow2File open(Path path, boolean readOnly, boolean openBacking, int depth)
            throws IOException {
        FileChannel ch;
        try {
            ch = readOnly ? FileChannel.open(path, StandardOpenOption.READ)
                    : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            throw new BlockException(path + ": no such file; check the path");
        } catch (AccessDeniedException e) {
            throw new BlockException(path + ": permission denied; open it read-only or fix its mode");
        }
        Qcow2File f = null;
        try {
            long fileSize = ch.size();
            ByteBuffer hb = ByteBuffer.allocate((int) Math.min(fileSize, 2 << 20));
            while (hb.hasRemaining() && ch.read(hb, hb.position()) > 0) {
                // fill
            }
            Header h = Header.parse(path.toString(), hb.array(), fileSize);
            if (!readOnly && (h.incompatible & Header.INCOMPAT_CORRUPT) != 0) {
                throw new BlockException(path + ": image is marked corrupt; open it read-only or "
                        + "run 'jvirt img check -r all " + path + "'");
            }
            int rtEntries = (int) ((long) h.refcountTableClusters * h.clusterSize() / 8);
            ByteBuffer rb = ByteBuffer.allocate(rtEntries * 8);
            while (rb.hasRemaining() && ch.read(rb, h.refcountTableOffset + rb.position()) > 0) {
                // fill; past the end of the file reads as zeroes
            }
            long[] rt = new long[rtEntries];
            rb.clear().asLongBuffer().get(rt);
            f = new Qcow2File(path, ch, readOnly, h, fileSize, rt, openBacking);
            if (openBacking && h.backingFile != null) {
                f.backing = backing(f, depth);
            }
            if (!readOnly) {
                prepareForWriting(f);
            }
            return f;
        } catch (IOException | RuntimeException e) {
            if (f != null) {
                f.closeQuietly();
            } else {
                ch.close();
            }
            throw e;
        }
    }

    private static BlockDevice backing(Qcow2File f, int depth) throws IOException {
        if (depth >= MAX_CHAIN) {
            throw new BlockException(f.name + ": backing chain deeper than " + MAX_CHAIN
                    + " images (a loop?); fix it with 'jvirt img rebase -u'");
        }
        Path bp = resolveBacking(f.path, f.h.backingFile);
        String fmt = f.h.backingFormat;
        if (fmt == null) {
            fmt = Images.probe(bp);
        }
        return switch (fmt) {
            case "qcow2" -> open(bp, true, true, depth + 1);
            case "raw" -> Images.open(bp, "raw", true);
            default -> throw new BlockException(f.name + ": backing format '" + fmt
                    + "' is not supported; use raw or qcow2");
        };
    }

    static Path resolveBacking(Path image, String backingName) {
        Path b = Path.of(backingName);
        if (b.isAbsolute()) {
            return b;
        }
        Path dir = image.toAbsolutePath().getParent();
        return dir == null ? b : dir.resolve(b);
    }

    private static void prepareForWriting(Qcow2File f) throws IOException {
        Header h = f.h;
        boolean rewrite = false;
        if (h.autoclear != 0) {
            // We do not maintain bitmaps: clearing autoclear bits tells readers they are stale.
            h.autoclear = 0;
            h.unknownExtensions.removeIf(e -> e.type() == Header.EXT_BITMAPS);
            rewrite = true;
        }
        if ((h.incompatible & Header.INCOMPAT_DIRTY) != 0) {
            // Refcounts may be stale after a crash with lazy refcounts: rebuild them.
            new Commit(f).run();
            h.incompatible &= ~Header.INCOMPAT_DIRTY;
            rewrite = true;
        }
        if (rewrite) {
            f.writeHeader();
        }
    }
}
