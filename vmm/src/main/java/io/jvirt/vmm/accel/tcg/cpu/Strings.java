package io.jvirt.vmm.accel.tcg.cpu;

import io.jvirt.sys.HostMemory;

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
     * REP MOVS/STOS a page at a time with host bulk copies and fills, upwards or (DF set, as
     * memmove and the kernel's decompressor use it) downwards; stops (returning false) at
     * anything unusual (MMIO, a fault ahead, an overlap whose writes would run ahead of its
     * reads), leaving the rest to the element loop. Returns true when rCX reached zero.
     */
    private static boolean bulk(Cpu c, Insn in, int op, int size, int srcSeg, long am, boolean down) {
        boolean movs = op <= 0xa5;
        for (int pages = 0; pages < 64; pages++) {
            long cx = c.reg(Cpu.RCX, in.asz);
            if (cx == 0) {
                return true;
            }
            long di = c.r[Cpu.RDI] & am;
            long dLin = c.linear(Cpu.ES, di);
            long n = Math.min(cx, elementsOnPage(dLin, size, down));
            long si = 0;
            long sLin = 0;
            if (movs) {
                si = c.r[Cpu.RSI] & am;
                sLin = c.linear(srcSeg, si);
                n = Math.min(n, elementsOnPage(sLin, size, down));
            }
            long span = (n - 1) * size; // from the first element to the last: downwards with DF set
            if (n <= 0 || (am != -1L && (down ? di < span || (movs && si < span)
                    : di + n * size > am || (movs && si + n * size > am)))) {
                return false;
            }
            if (down) {
                dLin -= span;
                sLin -= span;
            }
            int bytes = (int) (n * size);
            long dst = c.mmu.hostForWrite(dLin, bytes);
            if (dst < 0) {
                return false;
            }
            if (movs) {
                long sPa = c.mmu.translate(sLin, Mmu.READ);
                long src = c.mmu.memory.backingOffset(sPa, bytes);
                // Element by element, an overlapping copy equals a memmove only if every write
                // lands where the reads have been: below the source going up, above it going down.
                if (src < 0 || (src < dst + bytes && dst < src + bytes && (down ? dst < src : dst > src))) {
                    return false;
                }
                c.mmu.host.copy(src, dst, bytes);
                c.setReg(Cpu.RSI, in.asz, down ? si - bytes : si + bytes);
            } else {
                store(c.mmu.host, dst, bytes, size, c.r[0] & Cpu.mask(size));
            }
            c.setReg(Cpu.RDI, in.asz, down ? di - bytes : di + bytes);
            c.setReg(Cpu.RCX, in.asz, cx - n);
        }
        if (c.reg(Cpu.RCX, in.asz) != 0) {
            c.rip = c.curRip; // let interrupts in between chunks
            c.endBlock = true;
        }
        return true;
    }

    /** Fills {@code bytes} of host memory at {@code dst} with the {@code size}-byte element {@code v}. */
    private static void store(HostMemory host, long dst, int bytes, int size, long v) {
        long b = v & 0xff;
        if (v == (b * 0x0101_0101_0101_0101L & Cpu.mask(size))) {
            host.fill(dst, bytes, (byte) b); // one repeated byte, as memset leaves it
            return;
        }
        for (int o = 0; o < bytes; o += size) {
            switch (size) {
                case 2 -> host.putShort(dst + o, (short) v);
                case 4 -> host.putInt(dst + o, (int) v);
                default -> host.putLong(dst + o, v);
            }
        }
    }

    /**
     * Elements of {@code size} bytes from the one at {@code lin} to the page end (or, going
     * {@code down}, to the page start) that lie wholly on its page; 0 if the first one crosses it.
     */
    private static long elementsOnPage(long lin, int size, boolean down) {
        long o = lin & 0xfff;
        if (o + size > 4096) {
            return 0;
        }
        return down ? o / size + 1 : (4096 - o) / size;
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
        if (rep && (op == 0xa4 || op == 0xa5 || op == 0xaa || op == 0xab)) {
            if (bulk(c, in, op, size, srcSeg, am, delta < 0)) {
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
