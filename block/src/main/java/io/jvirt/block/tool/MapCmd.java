package io.jvirt.block.tool;

import io.jvirt.block.BlockDevice;
import io.jvirt.block.BlockException;
import io.jvirt.block.Extent;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code map}: allocation extents, human ("Offset Length Mapped to File") or JSON. */
final class MapCmd {

    private MapCmd() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        Opts o = Opts.parse("map", args, 1, Set.of("f", "output", "s", "l", "start-offset",
                "max-length"), Set.of("U", "force-share", "image-opts"));
        String file = ImgTool.onlyFile("map", o);
        String output = o.get("output", "human");
        if (!output.equals("human") && !output.equals("json")) {
            throw new BlockException("map: --output=" + output + " is invalid; use human or json");
        }
        try (BlockDevice d = Open.device(file, o.get("f"), true)) {
            List<Extent> ext = new ArrayList<>();
            long pos = 0;
            while (pos < d.size()) {
                Extent e = d.status(pos, d.size() - pos);
                if (e.length() <= 0) {
                    break;
                }
                Extent last = ext.isEmpty() ? null : ext.get(ext.size() - 1);
                if (last != null && mergeable(last, e)) {
                    ext.set(ext.size() - 1, last.withLength(last.length() + e.length()));
                } else {
                    ext.add(e);
                }
                pos += e.length();
            }
            if (output.equals("json")) {
                List<String> lines = new ArrayList<>();
                for (Extent e : ext) {
                    lines.add("{ \"start\": " + e.start() + ", \"length\": " + e.length()
                            + ", \"depth\": " + e.depth() + ", \"present\": " + e.present()
                            + ", \"zero\": " + e.zero() + ", \"data\": " + e.data()
                            + (e.hostOffset() >= 0 ? ", \"offset\": " + e.hostOffset() : "")
                            + "}");
                }
                out.println("[" + String.join(",\n", lines) + "]");
            } else {
                out.printf("%-16s%-16s%-16s%s%n", "Offset", "Length", "Mapped to", "File");
                for (Extent e : ext) {
                    if (e.data() && e.present() && e.hostOffset() < 0) {
                        throw new BlockException(file + ": file contains compressed clusters, "
                                + "which have no offset to show; use --output=json");
                    }
                    if (e.data() && e.hostOffset() >= 0) {
                        out.printf("%-16s%-16s%-16s%s%n", Fmt.hexAlt(e.start()),
                                Fmt.hexAlt(e.length()), Fmt.hexAlt(e.hostOffset()), e.file());
                    }
                }
            }
        }
        return 0;
    }

    private static boolean mergeable(Extent a, Extent b) {
        return a.data() == b.data() && a.zero() == b.zero() && a.depth() == b.depth()
                && a.present() == b.present()
                && (a.hostOffset() < 0 ? b.hostOffset() < 0
                : b.hostOffset() == a.hostOffset() + a.length() && a.file() != null
                && a.file().equals(b.file()));
    }
}
