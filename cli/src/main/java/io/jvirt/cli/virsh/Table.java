package io.jvirt.cli.virsh;

import java.util.ArrayList;
import java.util.List;

/**
 * virsh's table layout (vshTable): one leading space, columns padded to their widest cell and
 * separated by three spaces, the last column unpadded, and a dash rule two wider than the row.
 */
final class Table {

    private final List<String[]> rows = new ArrayList<>();
    private final String[] header;

    Table(String... header) {
        this.header = header;
    }

    Table row(String... cells) {
        rows.add(cells);
        return this;
    }

    String render(boolean quiet) {
        int[] w = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            // virsh -q drops the header before measuring the columns.
            w[i] = quiet ? 0 : header[i].length();
        }
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        if (!quiet) {
            line(sb, header, w);
            int total = 1 + 3 * (w.length - 1) + 2;
            for (int x : w) {
                total += x;
            }
            sb.append("-".repeat(total)).append('\n');
        }
        for (String[] r : rows) {
            line(sb, r, w);
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, String[] cells, int[] w) {
        sb.append(' ');
        for (int i = 0; i < cells.length; i++) {
            if (i == cells.length - 1) {
                sb.append(cells[i]);
            } else {
                sb.append(cells[i]).append(" ".repeat(w[i] - cells[i].length())).append("   ");
            }
        }
        sb.append('\n');
    }
}
