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

    /**
     * Forward REP MOVS/STOS a page at a time with host bulk copies; stops (returning false) at
     * anything unusual (MMIO, overlap, a fault ahead), leaving the rest to the element loop.
     * Returns true when rCX reached zero.
     */
    private static boolean bulk(Cpu c, Insn in, int op, int size, int srcSeg, long am) {
        boolean movs = op <= 0xa5;
        byte[] buf = null;
        for (int pages = 0; pages < 64; pages++) {
            long cx = c.reg(Cpu.RCX, in.asz);
            if (cx == 0) {
                return true;
            }
            long di = c.r[Cpu.RDI] & am;
            long dLin = c.linear(Cpu.ES, di);
            long room = 4096 - (dLin & 0xfff);
            long sLin = 0;
            long si = 0;
            if (movs) {
                si = c.r[Cpu.RSI] & am;
                sLin = c.linear(srcSeg, si);
                room = Math.min(room, 4096 - (sLin & 0xfff));
            }
            long n = Math.min(cx, room / size);
            if (n == 0 || (am != -1L && (di + n * size > am || (movs && si + n * size > am)))) {
                return false;
            }
            int bytes = (int) (n * size);
            long dst = c.mmu.hostForWrite(dLin, bytes);
            if (dst < 0) {
                return false;
            }
            if (movs) {
                long sPa = c.mmu.translate(sLin, Mmu.READ);
                long src = c.mmu.memory.backingOffset(sPa, bytes);
                if (src < 0 || (src < dst + bytes && dst < src + bytes)) {
                    return false;
                }
                if (buf == null) {
                    buf = new byte[4096];
                }
                c.mmu.host.read(src, buf, 0, bytes);
                c.mmu.host.write(dst, buf, 0, bytes);
                c.setReg(Cpu.RSI, in.asz, si + bytes);
            } else {
                long v = c.r[0] & Cpu.mask(size);
                long b = v & 0xff;
                if (v != b * (Cpu.mask(size) / 0xff)) {
                    return false; // not one repeated byte
                }
                c.mmu.host.fill(dst, bytes, (byte) b);
            }
            c.setReg(Cpu.RDI, in.asz, di + bytes);
            c.setReg(Cpu.RCX, in.asz, cx - n);
        }
        if (c.reg(Cpu.RCX, in.asz) != 0) {
            c.rip = c.curRip; // let interrupts in between chunks
            c.endBlock = true;
        }
        return true;
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
        if (rep && delta > 0 && (op == 0xa4 || op == 0xa5 || op == 0xaa || op == 0xab)) {
            if (bulk(c, in, op, size, srcSeg, am)) {
                return;
            }
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
