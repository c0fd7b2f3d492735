package io.jvirt.block.tool;

import io.jvirt.block.BlockDevice;
import io.jvirt.block.BlockException;
import io.jvirt.block.HostFiles;
import io.jvirt.block.qcow2.Qcow2Image;
import io.jvirt.block.qcow2.SnapshotInfo;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code info}: qemu-img's human and JSON layouts. */
final class InfoCmd {

    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private InfoCmd() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        Opts o = Opts.parse("info", args, 1, Set.of("f", "output", "t", "T"),
                Set.of("backing-chain", "U", "force-share", "image-opts"));
        String file = ImgTool.onlyFile("info", o);
        String output = o.get("output", "human");
        if (!output.equals("human") && !output.equals("json")) {
            throw new BlockException("info: --output=" + output + " is invalid; use human or json");
        }
        List<String> blocks = new ArrayList<>();
        String fmt = o.get("f");
        String cur = file;
        int depth = 0;
        while (cur != null) {
            String f = Open.format(cur, fmt);
            String next = null;
            String nextFmt = null;
            if (f.equals("qcow2")) {
                try (Qcow2Image q = Qcow2Image.openWithoutBacking(Path.of(cur), true)) {
                    blocks.add(output.equals("json") ? json(cur, q, "    ") : human(cur, q));
                    Qcow2Image.Details d = q.details();
                    if (d.backingFile() != null) {
                        next = CreateCmd.resolve(cur, d.backingFile()).toString();
                        nextFmt = d.backingFormat();
                    }
                }
            } else {
                try (BlockDevice b = Open.device(cur, f, true)) {
                    blocks.add(output.equals("json") ? rawJson(cur, b) : rawHuman(cur, b));
                }
            }
            if (!o.has("backing-chain") || ++depth > 64) {
                break;
            }
            cur = next;
            fmt = nextFmt;
        }
        if (output.equals("json")) {
            if (o.has("backing-chain")) {
                out.println("[");
                for (int i = 0; i < blocks.size(); i++) {
                    out.print(indent(blocks.get(i)));
                    out.println(i + 1 < blocks.size() ? "," : "");
                }
                out.println("]");
            } else {
                out.println(blocks.get(0));
            }
        } else {
            out.print(String.join("\n", blocks));
        }
        return 0;
    }

    private static String indent(String s) {
        return "    " + s.replace("\n", "\n    ");
    }

    /** qemu-img's "disk size": the blocks the file occupies (st_blocks * 512). */
    static long actualSize(String file) throws IOException {
        return HostFiles.allocatedBytes(Path.of(file));
    }

    private static String rawHuman(String file, BlockDevice b) throws IOException {
        return "image: " + file + "\nfile format: raw\nvirtual size: " + Fmt.size(b.size())
                + " (" + b.size() + " bytes)\ndisk size: " + Fmt.size(actualSize(file)) + "\n";
    }

    private static String rawJson(String file, BlockDevice b) throws IOException {
        return "{\n    \"virtual-size\": " + b.size() + ",\n    \"filename\": " + Fmt.json(file)
                + ",\n    \"format\": \"raw\",\n    \"actual-size\": " + actualSize(file)
                + ",\n    \"dirty-flag\": false\n}";
    }

    static String human(String file, Qcow2Image q) throws IOException {
        Qcow2Image.Details d = q.details();
        StringBuilder b = new StringBuilder();
        b.append("image: ").append(file).append('\n');
        b.append("file format: qcow2\n");
        b.append("virtual size: ").append(Fmt.size(q.size())).append(" (").append(q.size())
                .append(" bytes)\n");
        b.append("disk size: ").append(Fmt.size(actualSize(file))).append('\n');
        b.append("cluster_size: ").append(d.clusterSize()).append('\n');
        if (d.backingFile() != null) {
            b.append("backing file: ").append(d.backingFile()).append('\n');
            if (d.backingFormat() != null) {
                b.append("backing file format: ").append(d.backingFormat()).append('\n');
            }
        }
        if (!q.snapshots().isEmpty()) {
            b.append("Snapshot list:\n").append(snapshotTable(q.snapshots()));
        }
        b.append("Format specific information:\n");
        b.append("    compat: ").append(d.version() == 3 ? "1.1" : "0.10").append('\n');
        b.append("    compression type: ").append(d.compression()).append('\n');
        if (d.version() == 3) {
            b.append("    lazy refcounts: ").append(d.lazyRefcounts()).append('\n');
        }
        b.append("    refcount bits: ").append(d.refcountBits()).append('\n');
        if (d.version() == 3) {
            b.append("    corrupt: ").append(d.corrupt()).append('\n');
            b.append("    extended l2: ").append(d.extendedL2()).append('\n');
        }
        return b.toString();
    }

    static String snapshotTable(List<SnapshotInfo> snaps) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%-9s %-17s%8s%20s%13s%11s%n", "ID", "TAG", "VM SIZE", "DATE",
                "VM CLOCK", "ICOUNT"));
        for (SnapshotInfo s : snaps) {
            long ms = s.vmClockNsec() / 1_000_000;
            String clock = String.format("%02d:%02d:%02d.%03d", ms / 3_600_000,
                    (ms / 60_000) % 60, (ms / 1000) % 60, ms % 1000);
            String date = DATE.format(Instant.ofEpochSecond(s.dateSec()));
            b.append(String.format("%-9s %-17s%8s%20s%13s%11s%n", s.id(), s.name(),
                    Fmt.size(s.vmStateSize()), date, clock,
                    s.icount() < 0 ? "" : Long.toString(s.icount())));
        }
        return b.toString();
    }

    static String json(String file, Qcow2Image q, String in) throws IOException {
        Qcow2Image.Details d = q.details();
        List<String> f = new ArrayList<>();
        if (!q.snapshots().isEmpty()) {
            StringBuilder b = new StringBuilder("\"snapshots\": [\n");
            List<SnapshotInfo> snaps = q.snapshots();
            for (int i = 0; i < snaps.size(); i++) {
                SnapshotInfo s = snaps.get(i);
                b.append(in).append(in).append("{\n");
                String p = in + in + in;
                b.append(p).append("\"icount\": ").append(Math.max(0, s.icount())).append(",\n");
                b.append(p).append("\"vm-clock-nsec\": ").append(s.vmClockNsec() % 1_000_000_000)
                        .append(",\n");
                b.append(p).append("\"name\": ").append(Fmt.json(s.name())).append(",\n");
                b.append(p).append("\"date-sec\": ").append(s.dateSec()).append(",\n");
                b.append(p).append("\"date-nsec\": ").append(s.dateNsec()).append(",\n");
                b.append(p).append("\"vm-clock-sec\": ").append(s.vmClockNsec() / 1_000_000_000)
                        .append(",\n");
                b.append(p).append("\"id\": ").append(Fmt.json(s.id())).append(",\n");
                b.append(p).append("\"vm-state-size\": ").append(s.vmStateSize()).append('\n');
                b.append(in).append(in).append('}').append(i + 1 < snaps.size() ? ",\n" : "\n");
            }
            b.append(in).append(']');
            f.add(b.toString());
        }
        if (d.backingFile() != null && d.backingFormat() != null) {
            f.add("\"backing-filename-format\": " + Fmt.json(d.backingFormat()));
        }
        f.add("\"virtual-size\": " + q.size());
        f.add("\"filename\": " + Fmt.json(file));
        f.add("\"cluster-size\": " + d.clusterSize());
        f.add("\"format\": \"qcow2\"");
        f.add("\"actual-size\": " + actualSize(file));
        String p = in + in + in;
        StringBuilder fs = new StringBuilder("\"format-specific\": {\n");
        fs.append(in).append(in).append("\"type\": \"qcow2\",\n");
        fs.append(in).append(in).append("\"data\": {\n");
        fs.append(p).append("\"compat\": \"").append(d.version() == 3 ? "1.1" : "0.10").append('"');
        fs.append(",\n").append(p).append("\"compression-type\": \"").append(d.compression())
                .append('"');
        if (d.version() == 3) {
            fs.append(",\n").append(p).append("\"lazy-refcounts\": ").append(d.lazyRefcounts());
        }
        fs.append(",\n").append(p).append("\"refcount-bits\": ").append(d.refcountBits());
        if (d.version() == 3) {
            fs.append(",\n").append(p).append("\"corrupt\": ").append(d.corrupt());
            fs.append(",\n").append(p).append("\"extended-l2\": ").append(d.extendedL2());
        }
        fs.append('\n').append(in).append(in).append("}\n").append(in).append('}');
        f.add(fs.toString());
        if (d.backingFile() != null) {
            f.add("\"full-backing-filename\": "
                    + Fmt.json(CreateCmd.resolve(file, d.backingFile()).toString()));
            f.add("\"backing-filename\": " + Fmt.json(d.backingFile()));
        }
        f.add("\"dirty-flag\": " + d.dirty());
        return "{\n" + in + String.join(",\n" + in, f) + "\n}";
    }
}
