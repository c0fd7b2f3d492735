package io.jvirt.block.tool;

import io.jvirt.block.BlockException;
import io.jvirt.block.qcow2.Qcow2Image;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Map;
import java.util.Set;

/** {@code amend -o options}: compat, lazy_refcounts, size, backing_file/backing_fmt. */
final class AmendCmd {

    private AmendCmd() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        Opts o = Opts.parse("amend", args, 1, Set.of("f", "o", "t"),
                Set.of("p", "q", "force", "image-opts"));
        String file = ImgTool.onlyFile("amend", o);
        Map<String, String> opts = o.options("amend");
        if (opts.isEmpty()) {
            throw new BlockException("amend: no -o options given; e.g. -o lazy_refcounts=on");
        }
        try (Qcow2Image q = Open.qcow2("amend", file, o.get("f"), false)) {
            Qcow2Image.Details d = q.details();
            Boolean lazy = null;
            Integer version = null;
            for (var e : opts.entrySet()) {
                String k = e.getKey();
                String v = e.getValue();
                switch (k) {
                    case "lazy_refcounts" -> lazy = CreateOptionsParser.bool(file, k, v);
                    case "compat" -> version = CreateOptionsParser.compat(file, v);
                    case "size" -> {
                        long n = Fmt.parseSize(file, v);
                        if (n < q.size() && !o.has("force")) {
                            throw new BlockException(file + ": amend size=" + v
                                    + " shrinks the image; use 'jvirt img resize --shrink'");
                        }
                        q.resize(n);
                    }
                    case "backing_file" -> q.setBacking(v.isEmpty() ? null : v,
                            opts.getOrDefault("backing_fmt", d.backingFormat()));
                    case "backing_fmt" -> q.setBacking(opts.getOrDefault("backing_file",
                            d.backingFile()), v);
                    case "cluster_size" -> {
                        if (Fmt.parseSize(file, v) != d.clusterSize()) {
                            throw new BlockException(file + ": changing cluster_size is not "
                                    + "supported; convert with -o cluster_size=" + v);
                        }
                    }
                    case "refcount_bits" -> {
                        if (Integer.parseInt(v) != d.refcountBits()) {
                            throw new BlockException(file + ": changing refcount_bits is not "
                                    + "supported; convert with -o refcount_bits=" + v);
                        }
                    }
                    case "extended_l2", "compression_type", "preallocation" ->
                            throw new BlockException(file + ": amend cannot change " + k
                                    + "; convert the image with -o " + k + "=" + v);
                    default -> throw new BlockException(file + ": invalid parameter '" + k
                            + "' for amend; use compat, lazy_refcounts, size or backing_file");
                }
            }
            if (lazy != null || version != null) {
                q.amend(lazy, version);
            }
        }
        return 0;
    }
}
