package io.jvirt.block.qcow2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.block.Peer;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Power loss, simulated: every write the image makes to its file and every sync is logged
 * ({@link TestHooks#fileLog}) during a seeded workload. A power loss keeps everything written
 * before the last completed sync and, of the writes after it, any subset in any order (the
 * disk's cache may reorder them). For every sync and several random subsets of the writes that
 * follow it, the resulting file must pass {@code qemu-img check} without corruption (leaks are
 * allowed), and at every flush the pages no later request touched must read as the flush left
 * them. Writing mapping changes without the sync before them (see {@link Tables}), or a new
 * refcount block's table entry without the sync after the block, fails this. 64-bit refcounts
 * on 4 KiB clusters make a refcount block cover only 2 MiB, so the workload creates several.
 */
class PowerLossTest {

    private static final int CS = 4096;
    private static final int SIZE = 4 << 20;
    private static final int PAGE = 4096;

    private record Write(long pos, byte[] data) {
    }

    /** The log: writes, with null for a sync. */
    private final List<Write> log = new ArrayList<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void peer() {
        Peer.assumeInstalled();
    }

    @AfterEach
    void unhook() {
        TestHooks.fileLog = null;
    }

    /** A flush: where it ended in the log, the guest contents then, pages touched after it. */
    private record Flush(int logEnd, byte[] model, BitSet touchedAfter) {
    }

    @Test
    void everySimulatedPowerLossLeavesAConsistentImage() throws Exception {
        Path img = dir.resolve("p.qcow2");
        Qcow2Image.create(img, new Qcow2Image.CreateOptions(SIZE, 3, CS, 64, false, false,
                "zlib", "off", null, null));
        byte[] base = Files.readAllBytes(img);
        byte[] model = new byte[SIZE];
        List<Flush> flushes = new ArrayList<>();
        Random r = new Random(7);
        TestHooks.fileLog = new TestHooks.FileLog() {
            @Override
            public void write(long pos, ByteBuffer data) {
                byte[] b = new byte[data.remaining()];
                data.get(b);
                log.add(new Write(pos, b));
            }

            @Override
            public void sync() {
                log.add(null);
            }
        };
        try (Qcow2Image q = Qcow2Image.open(img, false)) {
            for (int i = 0; i < 300; i++) {
                int op = r.nextInt(100);
                int page = r.nextInt(SIZE / PAGE - 4);
                int pages = 1 + r.nextInt(4);
                long off = (long) page * PAGE;
                int len = pages * PAGE;
                if (op < 88) {
                    for (Flush f : flushes) {
                        f.touchedAfter().set(page, page + pages);
                    }
                }
                if (op < 70) {
                    byte[] b = new byte[len];
                    r.nextBytes(b);
                    q.write(off, ByteBuffer.wrap(b));
                    System.arraycopy(b, 0, model, (int) off, len);
                } else if (op < 80) {
                    q.writeZeroes(off, len);
                    Arrays.fill(model, (int) off, (int) off + len, (byte) 0);
                } else if (op < 88) {
                    q.discard(off, len);   // whole clusters read as zeroes, the rest stays
                    Arrays.fill(model, (int) off, (int) off + len, (byte) 0);
                } else if (op < 96) {
                    q.flush();
                    flushes.add(new Flush(log.size(), model.clone(), new BitSet()));
                } else {
                    q.createSnapshot("s" + i);
                }
            }
        }
        TestHooks.fileLog = null;
        assertTrue(flushes.size() > 20, "too few flushes: " + flushes.size());

        List<Integer> syncs = new ArrayList<>();
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i) == null) {
                syncs.add(i);
            }
        }
        assertTrue(syncs.size() > 40, "too few syncs: " + syncs.size());
        Path state = dir.resolve("state.qcow2");
        Random pick = new Random(11);
        int checked = 0;
        for (int k = 0; k < syncs.size(); k++) {
            int s = syncs.get(k);
            int next = k + 1 < syncs.size() ? syncs.get(k + 1) : log.size();
            Flush flush = null;
            for (Flush f : flushes) {
                if (f.logEnd() == s + 1) {
                    flush = f;
                }
            }
            for (int trial = 0; trial < 3; trial++) {
                BitSet kept = new BitSet();
                for (int w = s + 1; w < next; w++) {
                    if (trial > 0 && pick.nextBoolean()) {
                        kept.set(w);
                    }
                }
                build(state, base, s, kept);
                Peer.Result check = Peer.run("qemu-img", "check", state.toString());
                assertNotEquals(2, check.exit(), "power loss after sync " + k + " (log entry " + s
                        + ") keeping " + kept + ": corruption\n" + check.out() + check.err());
                assertTrue(check.exit() == 0 || check.exit() == 3, check.out() + check.err());
                if (flush != null) {
                    assertFlushedPages(state, flush, "after sync " + k);
                }
                checked++;
                if (next == s + 1) {
                    break; // nothing to choose from
                }
            }
        }
        assertTrue(checked > 60, "too few states: " + checked);
    }

    /** The file after a power loss: base, the log up to {@code upTo}, then the {@code kept} writes. */
    private void build(Path state, byte[] base, int upTo, BitSet kept) throws Exception {
        Files.write(state, base);
        try (FileChannel ch = FileChannel.open(state, StandardOpenOption.WRITE)) {
            for (int i = 0; i < log.size(); i++) {
                Write w = log.get(i);
                if (w != null && (i < upTo || kept.get(i))) {
                    ByteBuffer b = ByteBuffer.wrap(w.data());
                    long p = w.pos();
                    while (b.hasRemaining()) {
                        p += ch.write(b, p);
                    }
                }
            }
        }
    }

    private static void assertFlushedPages(Path state, Flush f, String what) throws Exception {
        try (Qcow2Image q = Qcow2Image.open(state, true)) {
            byte[] back = new byte[SIZE];
            q.read(0, ByteBuffer.wrap(back));
            for (int page = 0; page < SIZE / PAGE; page++) {
                if (!f.touchedAfter().get(page)) {
                    int o = page * PAGE;
                    assertArrayEquals(Arrays.copyOfRange(f.model(), o, o + PAGE),
                            Arrays.copyOfRange(back, o, o + PAGE),
                            what + ": page " + page + " lost what the flush made durable");
                }
            }
        }
    }
}
