package io.jvirt.block.qcow2;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Random;

/**
 * The writer process of {@link CrashTest}: opens the image read-write and runs writes,
 * zero-writes, discards, flushes, snapshot create/delete and grows until it is killed. Before
 * each write it appends "W slot version kind" to a log (plain write(2), so a SIGKILL cannot
 * lose it); after each flush it appends "F".
 */
public final class CrashWriter {

    static final int SLOT = 64 << 10;
    static final int SLOTS = 128;                 // the first 8 MiB hold the checked data

    private CrashWriter() {
    }

    static byte[] pattern(int slot, int version, char kind) {
        byte[] b = new byte[SLOT];
        if (kind == 'D') {
            new Random(slot * 1_000_003L + version).nextBytes(b);
        }
        return b;
    }

    public static void main(String[] args) throws IOException {
        Path img = Path.of(args[0]);
        long seed = Long.parseLong(args[2]);
        int version = Integer.parseInt(args[3]);
        Random r = new Random(seed);
        try (FileOutputStream log = new FileOutputStream(args[1], true);
             Qcow2Image q = Qcow2Image.open(img, false)) {
            System.out.println("ready");
            System.out.flush();
            ArrayDeque<String> snaps = new ArrayDeque<>(q.snapshots().stream()
                    .map(SnapshotInfo::name).toList());
            int n = 0;
            while (true) {
                int op = r.nextInt(100);
                int slot = r.nextInt(SLOTS);
                if (op < 70) {
                    char kind = op < 55 ? 'D' : op < 63 ? 'Z' : 'X';
                    int v = version++;
                    log.write(("W " + slot + " " + v + " " + (kind == 'X' ? 'Z' : kind) + "\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    switch (kind) {
                        case 'D' -> q.write((long) slot * SLOT, ByteBuffer.wrap(pattern(slot, v, kind)));
                        case 'Z' -> q.writeZeroes((long) slot * SLOT, SLOT);
                        default -> q.discard((long) slot * SLOT, SLOT);
                    }
                } else if (op < 80) {
                    q.flush();
                    log.write("F\n".getBytes(StandardCharsets.US_ASCII));
                } else if (op < 88) {
                    String name = "c" + seed + "-" + n++;
                    q.createSnapshot(name);
                    snaps.add(name);
                } else if (op < 95) {
                    if (snaps.size() > 2) {
                        q.deleteSnapshot(snaps.poll());
                    }
                } else if (q.size() < (12 << 20)) {
                    q.resize(q.size() + (64 << 10));
                }
            }
        }
    }
}
