package io.jvirt.block.tool;

import io.jvirt.block.BlockException;
import io.jvirt.block.qcow2.Qcow2Image;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Set;

/** {@code snapshot -l | -c name | -a name | -d name}. */
final class SnapshotCmd {

    private SnapshotCmd() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        Opts o = Opts.parse("snapshot", args, 1, Set.of("f", "c", "a", "d"),
                Set.of("l", "q", "U", "force-share", "image-opts"));
        String file = ImgTool.onlyFile("snapshot", o);
        int ops = (o.has("l") ? 1 : 0) + (o.has("c") ? 1 : 0) + (o.has("a") ? 1 : 0)
                + (o.has("d") ? 1 : 0);
        if (ops != 1) {
            throw new BlockException("snapshot: give exactly one of -l, -c NAME, -a NAME, -d NAME");
        }
        boolean list = o.has("l");
        try (Qcow2Image q = Open.qcow2("snapshot", file, o.get("f"), list)) {
            if (list) {
                if (!q.snapshots().isEmpty()) {
                    out.println("Snapshot list:");
                    out.print(InfoCmd.snapshotTable(q.snapshots()));
                }
            } else if (o.has("c")) {
                q.createSnapshot(o.get("c"));
            } else if (o.has("a")) {
                q.applySnapshot(o.get("a"));
            } else {
                q.deleteSnapshot(o.get("d"));
            }
        }
        return 0;
    }
}
