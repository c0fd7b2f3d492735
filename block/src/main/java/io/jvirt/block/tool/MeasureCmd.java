package io.jvirt.block.tool;

import io.jvirt.block.BlockDevice;
import io.jvirt.block.BlockException;
import io.jvirt.block.Extent;
import io.jvirt.block.qcow2.Qcow2Image;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Map;
import java.util.Set;

/** {@code measure}: qemu's qcow2_measure formula (required and fully allocated sizes). */
final class MeasureCmd {

    private MeasureCmd() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        Opts o = Opts.parse("measure", args, 1, Set.of("f", "O", "o", "output", "size", "l",
                "s"), Set.of("U", "force-share", "image-opts"));
        String outFmt = o.get("O", "raw");
        String output = o.get("output", "human");
        Map<String, String> opts = o.options("measure");
        long virtualSize;
        long required;
        boolean qcow2Source = false;
        if (o.has("size")) {
            if (!o.positional.isEmpty()) {
                throw new BlockException("measure: give either --size or a file, not both");
            }
            virtualSize = Fmt.parseSize("measure: --size", o.get("size"));
            required = 0;
        } else {
            String file = ImgTool.onlyFile("measure", o);
            qcow2Source = Open.format(file, o.get("f")).equals("qcow2");
            try (BlockDevice d = Open.device(file, o.get("f"), true)) {
                virtualSize = d.size();
                required = -1;
                if (outFmt.equals("qcow2")) {
                    int cs = CreateOptionsParser.qcow2(file, 0, opts, null, null).clusterSize();
                    required = allocated(d, cs);
                    virtualSize = (virtualSize + cs - 1) / cs * cs;
                } else {
                    required = allocated(d, 1);
                }
            }
        }
        long fully;
        if (outFmt.equals("qcow2")) {
            Qcow2Image.CreateOptions c = CreateOptionsParser.qcow2("measure", virtualSize, opts,
                    null, null);
            if (c.preallocation().equals("full") || c.preallocation().equals("falloc")) {
                required = virtualSize;
            }
            fully = preallocSize(virtualSize, c.clusterSize(),
                    Integer.numberOfTrailingZeros(c.refcountBits()), c.extendedL2());
            required = fully - ((virtualSize + c.clusterSize() - 1) / c.clusterSize()
                    * c.clusterSize()) + required;
        } else if (outFmt.equals("raw")) {
            fully = virtualSize;
            if ("full".equals(opts.get("preallocation")) || "falloc".equals(opts.get("preallocation"))) {
                required = virtualSize;
            }
        } else {
            throw new BlockException("measure: output format '" + outFmt + "' is unknown; use "
                    + "-O raw or -O qcow2");
        }
        if (output.equals("json")) {
            out.println("{\n    \"bitmaps\": 0,\n    \"required\": " + required
                    + ",\n    \"fully-allocated\": " + fully + "\n}");
        } else {
            out.println("required size: " + required);
            out.println("fully allocated size: " + fully);
            if (outFmt.equals("qcow2") && qcow2Source) {
                out.println("bitmaps size: 0");
            }
        }
        return 0;
    }

    /** Bytes of data clusters the source needs: non-zero extents rounded out to clusters. */
    private static long allocated(BlockDevice d, int cs) throws IOException {
        long required = 0;
        long pos = 0;
        while (pos < d.size()) {
            Extent e = d.status(pos, d.size() - pos);
            long len = Math.max(1, e.length());
            if (!e.zero() && e.data()) {
                long end = (pos + len + cs - 1) / cs * cs;
                required += pos % cs + (end - pos);
                len = end - pos;
            }
            pos += len;
        }
        return required;
    }

    /** qemu's qcow2_calc_prealloc_size. */
    static long preallocSize(long total, long cs, int refcountOrder, boolean ext) {
        long aligned = (total + cs - 1) / cs * cs;
        long l2e = ext ? 16 : 8;
        long meta = cs;
        long nl2e = aligned / cs;
        nl2e = roundUp(nl2e, cs / l2e);
        meta += nl2e * l2e;
        long nl1e = nl2e * l2e / cs;
        nl1e = roundUp(nl1e, cs / 8);
        meta += nl1e * 8;
        meta += refcountMetadata((meta + aligned) / cs, cs, refcountOrder);
        return meta + aligned;
    }

    private static long roundUp(long v, long m) {
        return (v + m - 1) / m * m;
    }

    private static long refcountMetadata(long clusters, long cs, int order) {
        long perTableCluster = cs / 8;
        long perBlock = cs * 8 / (1L << order);
        long table = 0;
        long blocks = 0;
        long n = 0;
        long last;
        do {
            last = n;
            blocks = (clusters + table + blocks + perBlock - 1) / perBlock;
            table = (blocks + perTableCluster - 1) / perTableCluster;
            n = clusters + blocks + table;
        } while (n != last);
        return (blocks + table) * cs;
    }
}
