package io.jvirt.vmm.difftest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvirt.vmm.guests.Qemu;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The QEMU half of the differential tests on its own: hand-written cases with known results
 * prove the harness (generator encodings, blob, guest, dump parsing); a seeded random batch
 * proves every generated instruction runs without faulting on a reference CPU.
 */
@Timeout(300)
class QemuDiffHarnessTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Qemu.missingReason() == null, Qemu.missingReason());
    }

    private static DiffCase known(long rax, long rcx, long rflags, Insn... insns) {
        long[] gpr = new long[16];
        gpr[0] = rax;
        gpr[1] = rcx;
        gpr[DiffCase.RBX] = DiffCase.DATA + 128;
        return new DiffCase(gpr, rflags, new byte[DiffCase.MEM], List.of(insns));
    }

    private static Insn raw(String text, int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return new Insn(b, text, Insn.ARITH, 0);
    }

    @Test
    void handWrittenCasesGiveTheArchitecturalResults() throws Exception {
        List<DiffCase> cases = List.of(
                known(1, 2, 0x2, raw("add rax, rcx", 0x48, 0x01, 0xc8)),
                known(0, 1, 0x2, raw("sub rax, rcx", 0x48, 0x29, 0xc8)),
                known(0x1122334455667788L, 0, 0x2, raw("mov [rbx+0], rax", 0x48, 0x89, 0x43, 0x00)),
                known(-1, 7, 0x2, raw("cmovz eax, ecx (ZF=0)", 0x0f, 0x44, 0xc1)),
                known(0x80, 0, 0x2, raw("shl al, 1 (8-bit, REX)", 0x40, 0xd0, 0xe0)));
        List<CpuState> s = DiffRun.qemu(DiffRun.blob(dir, cases), cases.size());
        assertEquals(3, s.get(0).gpr()[0]);
        assertEquals(Insn.PF, s.get(0).rflags() & Insn.ARITH, "1 + 2 = 3: even parity, nothing else");
        assertEquals(-1, s.get(1).gpr()[0]);
        assertEquals(Insn.CF | Insn.SF | Insn.PF | Insn.AF, s.get(1).rflags() & Insn.ARITH, "0 - 1 borrows");
        assertEquals((byte) 0x88, s.get(2).mem()[128]);
        assertEquals((byte) 0x11, s.get(2).mem()[135]);
        assertEquals(0xffffffffL, s.get(3).gpr()[0], "a false 32-bit CMOV still zero-extends");
        assertEquals(0, s.get(4).gpr()[0]);
        assertEquals(Insn.CF | Insn.ZF | Insn.PF | Insn.OF, s.get(4).rflags() & Insn.ARITH);
    }

    @Test
    void aSeededRandomBatchRunsToTheEndWithoutFaulting() throws Exception {
        InsnGen gen = new InsnGen(42);
        List<DiffCase> cases = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            cases.add(gen.nextCase(8));
        }
        List<CpuState> s = DiffRun.qemu(DiffRun.blob(dir, cases), cases.size());
        for (int i = 0; i < s.size(); i++) {
            assertEquals(i, s.get(i).index());
            assertEquals(DiffCase.DATA + 128, s.get(i).gpr()[DiffCase.RBX], "RBX must survive: " + cases.get(i).listing());
        }
    }
}
