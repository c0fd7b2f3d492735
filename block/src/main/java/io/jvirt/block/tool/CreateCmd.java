package io.jvirt.block.tool;

import io.jvirt.block.BlockDevice;
import io.jvirt.block.BlockException;
import io.jvirt.block.qcow2.Qcow2Image;
import io.jvirt.block.raw.RawImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/** {@code create}. */
final class CreateCmd {

    private CreateCmd() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        Opts o = Opts.parse("create", args, 1, Set.of("f", "b", "F", "o"), Set.of("q", "u"));
        if (o.positional.isEmpty() || o.positional.size() > 2) {
            throw new BlockException("create: expected FILENAME [SIZE]; see 'jvirt img create --help'");
        }
        String file = o.positional.get(0);
        String fmt = o.get("f", "raw");
        Map<String, String> opts = o.options("create");
        String backing = opts.getOrDefault("backing_file", o.get("b"));
        String backingFmt = opts.getOrDefault("backing_fmt", o.get("F"));
        long size = -1;
        if (o.positional.size() == 2) {
            size = Fmt.parseSize(file, o.positional.get(1));
        } else if (opts.containsKey("size")) {
            size = Fmt.parseSize(file, opts.get("size"));
        }
        if (backing != null && !o.has("u")) {
            Path bp = resolve(file, backing);
            if (backingFmt == null) {
                throw new BlockException(file + ": backing file specified without backing format"
                        + " (detected " + Open.format(bp.toString(), null) + "); add -F "
                        + Open.format(bp.toString(), null));
            }
            try (BlockDevice b = Open.device(bp.toString(), backingFmt, true)) {
                if (size < 0) {
                    size = b.size();
                }
            } catch (BlockException e) {
                throw new BlockException(file + ": could not open backing file: " + e.getMessage());
            }
        }
        if (size < 0) {
            throw new BlockException(file + ": no size given; add a size such as 10G (or a "
                    + "backing file with -b)");
        }
        switch (fmt) {
            case "qcow2" -> {
                Qcow2Image.CreateOptions c = CreateOptionsParser.qcow2(file, size, opts, backing,
                        backingFmt);
                if (!o.has("q")) {
                    out.println("Formatting '" + file + "', fmt=qcow2 cluster_size="
                            + c.clusterSize() + " extended_l2=" + (c.extendedL2() ? "on" : "off")
                            + (c.preallocation().equals("off") ? "" : " preallocation="
                            + c.preallocation())
                            + " compression_type=" + c.compression() + " size=" + size
                            + (opts.containsKey("compat") ? " compat=" + opts.get("compat") : "")
                            + (c.backingFile() != null ? " backing_file=" + c.backingFile() : "")
                            + (c.backingFormat() != null && c.backingFile() != null
                            ? " backing_fmt=" + c.backingFormat() : "")
                            + " lazy_refcounts=" + (c.lazyRefcounts() ? "on" : "off")
                            + " refcount_bits=" + c.refcountBits());
                }
                Qcow2Image.create(Path.of(file), c);
            }
            case "raw" -> {
                if (backing != null) {
                    throw new BlockException(file + ": raw images have no backing file; "
                            + "use -f qcow2");
                }
                String prealloc = "off";
                for (var e : opts.entrySet()) {
                    switch (e.getKey()) {
                        case "preallocation" -> prealloc = e.getValue();
                        case "size" -> { }
                        default -> throw new BlockException(file + ": invalid parameter '"
                                + e.getKey() + "' for raw; raw takes only size and preallocation");
                    }
                }
                if (!Set.of("off", "falloc", "full", "metadata").contains(prealloc)) {
                    throw new BlockException(file + ": preallocation '" + prealloc
                            + "' is unknown; use off, falloc or full");
                }
                if (!o.has("q")) {
                    out.println("Formatting '" + file + "', fmt=raw size=" + size
                            + (prealloc.equals("off") ? "" : " preallocation=" + prealloc));
                }
                RawImage.create(Path.of(file), size, prealloc);
            }
            default -> throw new BlockException(file + ": unknown format '" + fmt
                    + "'; use -f raw or -f qcow2");
        }
        return 0;
    }

    static Path resolve(String image, String backing) {
        Path b = Path.of(backing);
        if (b.isAbsolute()) {
            return b;
        }
        Path dir = Path.of(image).toAbsolutePath().getParent();
        return dir == null ? b : dir.resolve(b);
    }
}
