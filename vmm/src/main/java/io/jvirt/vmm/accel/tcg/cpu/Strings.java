package io.jvirt.vmm.accel.tcg.cpu;

/**
 * String instructions MOVS/CMPS/STOS/LODS/SCAS/INS/OUTS with REP/REPE/REPNE in every address
 * size. A long REP runs in chunks: when the chunk ends with rCX still non-zero, RIP is set back
 * to the instruction so interrupts get a chance between chunks (as on hardware).
 */
final class Strings {
    private static final int CHUNK = 4096;

    private Strings() {
    }

    static void exec(Cpu c, Insn in) {
        int op = in.op;
        int size = (op & 1) == 0 ? 1 : in.osz;
        boolean rep = in.rep();
        long am = Cpu.mask(in.asz);
        long delta = (c.flags & Cpu.DF) != 0 ? -size : size;
        int iterations = 0;
        int srcSeg = in.segment();
        if (rep && c.reg(Cpu.RCX, in.asz) == 0) {
            return;
        }
        if (op >= 0x6c && op <= 0x6f) {
            SystemOps.checkIo(c, (int) c.r[Cpu.RDX] & 0xffff, size);
        }
        for (;;) {
            long si = c.r[Cpu.RSI] & am;
            long di = c.r[Cpu.RDI] & am;
            boolean stopByFlags = false;
            switch (op) {
                case 0xa4, 0xa5 -> {
                    long v = c.mmu.read(c.linear(srcSeg, si), size);
                    c.mmu.write(c.linear(Cpu.ES, di), size, v);
                    c.setReg(Cpu.RSI, in.asz, si + delta);
                    c.setReg(Cpu.RDI, in.asz, di + delta);
                }
                case 0xa6, 0xa7 -> {
                    long a = c.mmu.read(c.linear(srcSeg, si), size);
                    long b = c.mmu.read(c.linear(Cpu.ES, di), size);
                    Alu.sub(c, a, b, 0, size);
                    c.setReg(Cpu.RSI, in.asz, si + delta);
                    c.setReg(Cpu.RDI, in.asz, di + delta);
                    stopByFlags = true;
                }
                case 0xaa, 0xab -> {
                    c.mmu.write(c.linear(Cpu.ES, di), size, c.r[0]);
                    c.setReg(Cpu.RDI, in.asz, di + delta);
                }
                case 0xac, 0xad -> {
                    c.setReg(0, size, c.mmu.read(c.linear(srcSeg, si), size));
                    c.setReg(Cpu.RSI, in.asz, si + delta);
                }
                case 0xae, 0xaf -> {
                    long b = c.mmu.read(c.linear(Cpu.ES, di), size);
                    Alu.sub(c, c.r[0], b, 0, size);
                    c.setReg(Cpu.RDI, in.asz, di + delta);
                    stopByFlags = true;
                }
                case 0x6c, 0x6d -> {
                    long lin = c.linear(Cpu.ES, di);
                    c.mmu.translate(lin, Mmu.WRITE);
                    long v = c.pio.read(c.r[Cpu.RDX] & 0xffff, size);
                    c.mmu.write(lin, size, v);
                    c.setReg(Cpu.RDI, in.asz, di + delta);
                }
                default -> {
                    long v = c.mmu.read(c.linear(srcSeg, si), size);
                    c.pio.write(c.r[Cpu.RDX] & 0xffff, size, v);
                    c.setReg(Cpu.RSI, in.asz, si + delta);
                }
            }
            if (!rep) {
                return;
            }
            long cx = (c.reg(Cpu.RCX, in.asz) - 1) & am;
            c.setReg(Cpu.RCX, in.asz, cx);
            if (cx == 0) {
                return;
            }
            if (stopByFlags) {
                boolean zf = (c.flags & Cpu.ZF) != 0;
                if ((in.pfx & Insn.PF3) != 0 ? !zf : zf) {
                    return;
                }
            }
            if (++iterations >= CHUNK || c.codeChanged) {
                c.rip = c.curRip;
                c.endBlock = true;
                return;
            }
        }
    }
}
