package io.jvirt.block.qcow2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.block.Peer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writer process ({@link CrashWriter}) with SIGKILL at random points, at least 200
 * times. After every kill: qemu-img check finds no corruption (leaks are allowed), and every
 * 4 KiB page of the checked area holds either the last version flushed before the kill or a
 * version whose write had started after that flush.
 */
class CrashTest {

    static final int ROUNDS = Integer.getInteger("crash.rounds", 200);
    static final int PAGE = 4096;

    @TempDir
    Path dir;

    @BeforeAll
    static void peer() {
        Peer.assumeInstalled();
    }

    @Test
    void killedWriterLeavesConsistentImage() throws Exception {
        Path img = dir.resolve("crash.qcow2");
        Path log = dir.resolve("crash.log");
        Qcow2Image.create(img, new Qcow2Image.CreateOptions(8 << 20, 3, 16384, 16, false, false,
                "zlib", "off", null, null));
        Files.createFile(log);
        Random r = new Random(42);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        int version = 1;
        int leaksSeen = 0;
        for (int round = 0; round < ROUNDS; round++) {
            Process p = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                    "-cp", cp, CrashWriter.class.getName(), img.toString(), log.toString(),
                    Long.toString(round), Integer.toString(version))
                    .redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
            String first = out.readLine();
            assertEquals("ready", first, "writer did not start: " + first);
            Thread.sleep(10 + r.nextInt(190));
            if (!p.isAlive()) {
                StringBuilder rest = new StringBuilder();
                for (String l; (l = out.readLine()) != null; ) {
                    rest.append(l).append('\n');
                }
                throw new AssertionError("round " + round + ": writer died before the kill: "
                        + rest);
            }
            p.destroyForcibly(); // SIGKILL on Linux
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            Peer.Result check = Peer.run("qemu-img", "check", img.toString());
            assertNotEquals(2, check.exit(), "round " + round + ": corruption\n" + check.out()
                    + check.err());
            assertTrue(check.exit() == 0 || check.exit() == 3, "round " + round + ": "
                    + check.out() + check.err());
            leaksSeen += check.exit() == 3 ? 1 : 0;
            version = verify(img, log, round) + 1;
            // writes pending at the kill may or may not have happened: mark the crash
            Files.writeString(log, "C\n", StandardOpenOption.APPEND);
        }
        long writes = Files.readAllLines(log).stream().filter(l -> l.startsWith("W")).count();
        String snaps = Peer.qemuImg("snapshot", "-l", img.toString());
        System.out.println("crash rounds " + ROUNDS + ", rounds with leaks " + leaksSeen
                + ", writes " + writes + ", snapshots now " + snaps.lines().count());
        assertTrue(writes > ROUNDS, "the writer did too little work between kills: " + writes);
    }

    /** Checks the data area against the log; returns the highest version in it. */
    private int verify(Path img, Path log, int round) throws Exception {
        Map<Integer, List<String>> durable = new HashMap<>();
        Map<Integer, List<String>> since = new HashMap<>();
        int maxVersion = 0;
        for (String line : Files.readAllLines(log)) {
            if (line.equals("F")) {
                for (var e : since.entrySet()) {
                    durable.put(e.getKey(), List.of(e.getValue().get(e.getValue().size() - 1)));
                }
                since.clear();
            } else if (line.equals("C")) {
                for (var e : since.entrySet()) {
                    List<String> c = new ArrayList<>(durable.getOrDefault(e.getKey(),
                            java.util.Collections.singletonList(null)));
                    c.addAll(e.getValue());
                    durable.put(e.getKey(), c);
                }
                since.clear();
            } else if (line.startsWith("W ")) {
                String[] f = line.split(" ");
                since.computeIfAbsent(Integer.parseInt(f[1]), k -> new ArrayList<>())
                        .add(f[2] + " " + f[3]);
                maxVersion = Math.max(maxVersion, Integer.parseInt(f[2]));
            }
        }
        try (Qcow2Image q = Qcow2Image.open(img, true)) {
            byte[] got = new byte[CrashWriter.SLOT];
            for (int slot = 0; slot < CrashWriter.SLOTS; slot++) {
                q.read((long) slot * CrashWriter.SLOT, ByteBuffer.wrap(got));
                List<byte[]> candidates = new ArrayList<>();
                for (String v : durable.getOrDefault(slot, java.util.Collections.singletonList(null))) {
                    candidates.add(expected(v, slot));
                }
                for (String v : since.getOrDefault(slot, List.of())) {
                    candidates.add(expected(v, slot));
                }
                for (int p = 0; p < CrashWriter.SLOT; p += PAGE) {
                    boolean ok = false;
                    for (byte[] c : candidates) {
                        ok |= Arrays.equals(got, p, p + PAGE, c, p, p + PAGE);
                    }
                    assertTrue(ok, "round " + round + ": slot " + slot + " page " + p / PAGE
                            + " matches neither the flushed version " + durable.get(slot)
                            + " nor a later one " + since.get(slot));
                }
            }
        }
        return maxVersion;
    }

    private static byte[] expected(String v, int slot) {
        if (v == null) {
            return new byte[CrashWriter.SLOT];
        }
        String[] f = v.split(" ");
        return CrashWriter.pattern(slot, Integer.parseInt(f[0]), f[1].charAt(0));
    }
}
