package io.jvirt.vmm.difftest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.vmm.accel.tcg.TcgAccelerator;
import io.jvirt.vmm.guests.Qemu;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differential test of jvirt's software CPU against QEMU's: the same seeded random instruction
 * sequences, from the same register and memory state, in the same payload guest; registers,
 * defined flags and the data window must agree. Other seeds and sizes:
 * -Djvirt.difftest.seed=N -Djvirt.difftest.cases=M.
 */
@Timeout(600)
class TcgDifferentialTest {

    private static final int CASES = Integer.getInteger("jvirt.difftest.cases", 1000);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void softwareCpuMatchesQemu(long seed) throws Exception {
        Assumptions.assumeTrue(Qemu.missingReason() == null, Qemu.missingReason());
        long s = Long.getLong("jvirt.difftest.seed", seed);
        InsnGen gen = new InsnGen(s);
        List<DiffCase> cases = new ArrayList<>();
        for (int i = 0; i < CASES; i++) {
            cases.add(gen.nextCase(8));
        }
        Path blob = DiffRun.blob(dir, cases);
        List<CpuState> expected = DiffRun.qemu(blob, CASES);
        // The interpreter alone, then with every block translated to bytecode on first use.
        String interpreted = compare("interpreter", TcgAccelerator.create(-1), blob, cases, expected, s);
        String translated = compare("translator", TcgAccelerator.create(0), blob, cases, expected, s);
        assertTrue(interpreted.isEmpty() && translated.isEmpty(), interpreted + translated);
    }

    /** Runs the cases under one jvirt CPU configuration; returns a report of the differences, empty when none. */
    private static String compare(String what, TcgAccelerator accel, Path blob, List<DiffCase> cases,
            List<CpuState> expected, long seed) throws Exception {
        List<CpuState> actual = DiffRun.jvirt(accel, blob, CASES);
        StringBuilder report = new StringBuilder();
        int bad = 0;
        for (int i = 0; i < CASES; i++) {
            String d = actual.get(i).diff(expected.get(i), cases.get(i));
            if (!d.isEmpty() && bad++ < 10) {
                report.append("\ncase ").append(i).append(": ").append(cases.get(i).listing())
                        .append("\n   ").append(d);
            }
        }
        System.out.println("difftest: compared " + CASES + " instruction sequences with QEMU TCG (seed " + seed
                + ", " + what + "), " + bad + " differ");
        return bad == 0 ? "" : bad + " of " + CASES + " cases differ from QEMU (seed " + seed + ", " + what + "):" + report;
    }
}
