package io.jvirt.vmm.accel.tcg.cpu;

import io.jvirt.vmm.arch.x86_64.Segment;
import io.jvirt.vmm.arch.x86_64.X86BootState;
import java.util.Arrays;

/** The states a {@link Cpu} starts from: power-on/INIT, and a boot state handed over by the loader. */
final class CpuReset {
    private CpuReset() {
    }

    /** Power-on / INIT state (SDM vol. 3A §9.1.1, table 9-1). */
    static void powerOn(Cpu c) {
        Arrays.fill(c.r, 0);
        c.r[Cpu.RDX] = 0x600; // family/model/stepping signature
        c.flags = 2;
        c.ccOp = 0;
        c.cr0 = 0x60000010L;
        c.cr2 = c.cr3 = c.cr4 = 0; // CR8 (TPR) is reset by the APIC's own INIT/reset
        c.efer = 0;
        c.rip = 0xfff0;
        for (int s = 0; s < 6; s++) {
            c.setSegReal(s, 0);
            c.sattr[s] = 0x93; // present, read/write data, accessed
        }
        c.setSegment(Cpu.CS, 0xf000, 0xffff0000L, 0xffff, 0x9b);
        c.gdtBase = c.idtBase = 0;
        c.gdtLimit = c.idtLimit = 0xffff;
        c.ldtrSel = c.trSel = 0;
        c.ldtrBase = c.trBase = 0;
        c.ldtrLimit = c.trLimit = 0xffff;
        c.trAttr = 0x8b;
        Arrays.fill(c.dr, 0);
        c.dr[6] = 0xffff0ff0L;
        c.dr[7] = 0x400;
        c.fpu.reset();
        c.halted = false;
        c.shadow = false;
        c.nmiBlocked = false;
        c.updateMode();
        c.mmu.flush();
    }

    /** The loader's boot state (for Linux, the 64-bit boot protocol's entry state) on a fresh CPU. */
    static void load(Cpu c, X86BootState b) {
        powerOn(c);
        c.rip = b.rip();
        c.r[Cpu.RSP] = b.rsp();
        c.r[Cpu.RSI] = b.rsi();
        c.r[Cpu.RDX] = 0;
        c.flags = b.rflags() | 2;
        c.cr0 = b.cr0();
        c.cr3 = b.cr3();
        c.cr4 = b.cr4();
        c.efer = b.efer();
        c.gdtBase = b.gdtBase();
        c.gdtLimit = b.gdtLimit();
        c.idtBase = b.idtBase();
        c.idtLimit = b.idtLimit();
        loadSeg(c, Cpu.ES, b.es());
        loadSeg(c, Cpu.DS, b.ds());
        loadSeg(c, Cpu.FS, b.fs());
        loadSeg(c, Cpu.GS, b.gs());
        loadSeg(c, Cpu.SS, b.ss());
        loadSeg(c, Cpu.CS, b.cs());
        Segment tr = b.tr();
        c.trSel = tr.selector();
        c.trBase = tr.base();
        c.trLimit = tr.limit();
        c.trAttr = attrOf(tr);
        c.waitSipi = false;
        c.updateMode();
        c.mmu.flush();
    }

    /** Descriptor attribute bits 40–55 as {@link Cpu#sattr} holds them. */
    static int attrOf(Segment s) {
        return (s.type() & 0xf) | (s.s() ? 0x10 : 0) | ((s.dpl() & 3) << 5) | (s.present() ? 0x80 : 0)
                | (s.l() ? 0x2000 : 0) | (s.db() ? 0x4000 : 0) | (s.g() ? 0x8000 : 0);
    }

    private static void loadSeg(Cpu c, int s, Segment seg) {
        c.setSegment(s, seg.selector(), seg.base(), seg.limit(), attrOf(seg));
    }
}
