package io.jvirt.block.tool;

import io.jvirt.block.BlockException;
import io.jvirt.block.qcow2.Qcow2Image;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code check}: exit 0 clean, 1 check failed, 2 corruptions, 3 leaks only (as qemu-img). */
final class CheckCmd {

    private CheckCmd() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        Opts o = Opts.parse("check", args, 1, Set.of("f", "output", "r", "T"),
                Set.of("q", "U", "force-share", "image-opts"));
        String file = ImgTool.onlyFile("check", o);
        String output = o.get("output", "human");
        boolean quiet = o.has("q");
        Qcow2Image.Repair repair = switch (o.get("r", "none")) {
            case "none" -> Qcow2Image.Repair.NONE;
            case "leaks" -> Qcow2Image.Repair.LEAKS;
            case "all" -> Qcow2Image.Repair.ALL;
            default -> throw new BlockException("check: -r " + o.get("r")
                    + " is invalid; use -r leaks or -r all");
        };
        String fmt = Open.format(file, o.get("f"));
        if (!fmt.equals("qcow2")) {
            err.println("jvirt img: " + file + ": format " + fmt + " does not support checks");
            return 63;
        }
        Qcow2Image.CheckResult r;
        try (Qcow2Image q = Qcow2Image.openWithoutBacking(Path.of(file),
                repair == Qcow2Image.Repair.NONE)) {
            r = q.check(repair);
        } catch (BlockException e) {
            err.println("jvirt img: " + ImgTool.oneLine(e));
            if (!quiet) {
                out.println("Check not completed because of an error: " + ImgTool.oneLine(e));
            }
            return 1;
        }
        for (String m : r.messages()) {
            err.println(m);
        }
        if (output.equals("json")) {
            List<String> f = new ArrayList<>();
            f.add("\"image-end-offset\": " + r.imageEndOffset());
            f.add("\"total-clusters\": " + r.totalClusters());
            f.add("\"check-errors\": " + r.checkErrors());
            if (r.leaks() > 0) {
                f.add("\"leaks\": " + r.leaks());
            }
            if (r.corruptions() > 0) {
                f.add("\"corruptions\": " + r.corruptions());
            }
            if (r.leaksFixed() > 0) {
                f.add("\"leaks-fixed\": " + r.leaksFixed());
            }
            if (r.corruptionsFixed() > 0) {
                f.add("\"corruptions-fixed\": " + r.corruptionsFixed());
            }
            f.add("\"allocated-clusters\": " + r.allocatedClusters());
            if (r.fragmentedClusters() > 0) {
                f.add("\"fragmented-clusters\": " + r.fragmentedClusters());
            }
            if (r.compressedClusters() > 0) {
                f.add("\"compressed-clusters\": " + r.compressedClusters());
            }
            f.add("\"filename\": " + Fmt.json(file));
            f.add("\"format\": \"qcow2\"");
            out.println("{\n    " + String.join(",\n    ", f) + "\n}");
        } else if (!quiet) {
            if (r.corruptionsFixed() > 0 || r.leaksFixed() > 0) {
                out.printf("The following inconsistencies were found and repaired:%n%n"
                        + "    %d leaked clusters%n    %d corruptions%n%n"
                        + "Double checking the fixed image now...%n",
                        r.leaksFixed(), r.corruptionsFixed());
            }
            if (r.corruptions() == 0 && r.leaks() == 0 && r.checkErrors() == 0) {
                out.println("No errors were found on the image.");
            } else {
                if (r.corruptions() > 0) {
                    out.printf("%n%d errors were found on the image.%nData may be corrupted, or "
                            + "further writes to the image may corrupt it.%n", r.corruptions());
                }
                if (r.leaks() > 0) {
                    out.printf("%n%d leaked clusters were found on the image.%nThis means waste "
                            + "of disk space, but no harm to data.%n", r.leaks());
                }
            }
            if (r.totalClusters() != 0 && r.allocatedClusters() != 0) {
                out.printf("%d/%d = %.2f%% allocated, %.2f%% fragmented, %.2f%% compressed "
                        + "clusters%n", r.allocatedClusters(), r.totalClusters(),
                        r.allocatedClusters() * 100.0 / r.totalClusters(),
                        r.fragmentedClusters() * 100.0 / r.allocatedClusters(),
                        r.compressedClusters() * 100.0 / r.allocatedClusters());
            }
            out.println("Image end offset: " + r.imageEndOffset());
        }
        if (r.checkErrors() > 0) {
            return 1;
        }
        if (r.corruptions() > 0) {
            return 2;
        }
        return r.leaks() > 0 ? 3 : 0;
    }
}
