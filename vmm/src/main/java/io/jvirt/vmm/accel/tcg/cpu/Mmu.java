package io.jvirt.vmm.accel.tcg.cpu;

import io.jvirt.sys.HostAddresses;
import io.jvirt.sys.HostMemory;
import io.jvirt.vmm.devices.IoBus;
import io.jvirt.vmm.memory.GuestMemory;
import java.lang.System.Logger.Level;
import java.util.Arrays;

/**
 * Linear-to-physical translation (Intel SDM vol. 3A ch. 4: 32-bit, PAE and 4-level paging,
 * 4 KiB/2 MiB/4 MiB/1 GiB pages, U/S, R/W with CR0.WP, NX, accessed/dirty bits), a TLB of
 * 4 KiB entries (INVLPG, CR3 reloads, global pages), and physical dispatch: RAM through the
 * host block, this CPU's LAPIC page to the {@link InterruptSource}, the rest to the MMIO bus.
 */
final class Mmu {
    private static final System.Logger LOG = System.getLogger(Mmu.class.getName());
    static final int READ = 0, WRITE = 1, FETCH = 2;
    private static final int TLB_SIZE = 1024;
    private static final int TLB_MASK = TLB_SIZE - 1;
    private static final long ADDR_MASK = 0x000f_ffff_ffff_f000L; // MAXPHYADDR 52
    private static final long PTE_P = 1, PTE_RW = 2, PTE_US = 4, PTE_A = 0x20, PTE_D = 0x40, PTE_PS = 0x80,
            PTE_G = 0x100, PTE_NX = 1L << 63;

    private final Cpu cpu;
    final GuestMemory memory;
    final HostMemory host;
    /** {@code host.address()}: guest RAM's host base address, fixed for the machine's life. */
    private final long hostBase;
    private final IoBus mmio;
    private final InterruptSource apic;
    final CodePages code;

    // Tags are (vpn << 1 | user); -1 = empty. One entry per index holds one vpn.
    /*
     * The words the load and store fast paths read sit side by side, WORDS per entry, so that
     * a lookup touches one cache line rather than one per array: entry i's read tag, host
     * address (HostAddresses; -1 when the page is not RAM), write tag and physical page at
     * WORDS * i + R_TAG, HOST, W_TAG and PHYS.
     */
    private static final int R_TAG = 0, HOST = 1, W_TAG = 2, PHYS = 3, WORD_SHIFT = 2, WORDS = 1 << WORD_SHIFT;
    private final long[] entries = new long[TLB_SIZE * WORDS];
    private final long[] tagX = new long[TLB_SIZE];
    private final long[] vpn = new long[TLB_SIZE];
    private final boolean[] global = new boolean[TLB_SIZE];
    private boolean hasLarge;
    /** Cached {@link InterruptSource#mmioBase()}; refreshed on every full flush (APIC base MSR writes flush). */
    private long apicBase = -1;
    /** 1 when the current access is a user-mode access (CPL 3 and not an implicit system access). */
    int user;

    Mmu(Cpu cpu, GuestMemory memory, IoBus mmio, InterruptSource apic) {
        this.cpu = cpu;
        this.memory = memory;
        this.host = memory.backing();
        this.hostBase = host.address();
        this.mmio = mmio;
        this.apic = apic;
        this.code = CodePages.of(memory);
        flush();
    }

    /** Bumped whenever translations may change (flushes, INVLPG); block chains check it. */
    int epoch;

    void flush() {
        epoch++;
        apicBase = apic.mmioBase();
        for (int j = 0; j < entries.length; j += WORDS) {
            entries[j + R_TAG] = entries[j + W_TAG] = -1;
        }
        Arrays.fill(tagX, -1);
        Arrays.fill(vpn, -1);
        hasLarge = false;
    }

    /** Flushes when the local APIC's page is no longer where the TLB's entries assume it is. */
    void apicMoved() {
        if (apic.mmioBase() != apicBase) {
            flush();
        }
    }

    /** CR3 load: keeps global entries when CR4.PGE is set. */
    void flushNonGlobal() {
        epoch++;
        if ((cpu.cr4 & Cpu.CR4_PGE) == 0) {
            flush();
            return;
        }
        for (int i = 0; i < TLB_SIZE; i++) {
            if (!global[i]) {
                drop(i);
            }
        }
    }

    void invlpg(long lin) {
        epoch++;
        if (hasLarge) {
            flush();
            return;
        }
        int i = (int) (lin >>> 12) & TLB_MASK;
        if (vpn[i] == lin >>> 12) {
            drop(i);
        }
    }

    private void drop(int i) {
        entries[i * WORDS + R_TAG] = entries[i * WORDS + W_TAG] = tagX[i] = vpn[i] = -1;
    }

    /**
     * Entry {@code lin}'s first word in {@link #entries}: its page's TLB index times WORDS,
     * ((lin >>> 12) & TLB_MASK) << WORD_SHIFT in one shift and one mask.
     */
    private static int at(long lin) {
        return (int) (lin >>> (12 - WORD_SHIFT)) & (TLB_MASK << WORD_SHIFT);
    }

    // ---- fast paths ----

    int fetch8(long lin) {
        long t = (lin >>> 12) << 1 | user;
        int i = (int) (lin >>> 12) & TLB_MASK;
        if (tagX[i] != t) {
            fill(lin, FETCH);
        }
        long h = entries[i * WORDS + HOST];
        if (h >= 0) {
            return HostAddresses.getByte(h + (lin & 0xfff));
        }
        return (int) physRead(entries[i * WORDS + PHYS] | (lin & 0xfff), 1);
    }

    /** Physical address of the code byte at {@code lin} (fills the TLB, may fault). */
    long fetchPhys(long lin) {
        long t = (lin >>> 12) << 1 | user;
        int i = (int) (lin >>> 12) & TLB_MASK;
        if (tagX[i] != t) {
            fill(lin, FETCH);
        }
        return entries[i * WORDS + PHYS] | (lin & 0xfff);
    }

    int read8(long lin) {
        int j = at(lin);
        if (entries[j + R_TAG] == ((lin >>> 12) << 1 | user)) {
            long h = entries[j + HOST];
            if (h >= 0) {
                return HostAddresses.getByte(h + (lin & 0xfff)) & 0xff;
            }
        }
        return (int) readSlow(lin, 1);
    }

    int read16(long lin) {
        int j = at(lin);
        if (entries[j + R_TAG] == ((lin >>> 12) << 1 | user) && (lin & 0xfff) <= 0xffe) {
            long h = entries[j + HOST];
            if (h >= 0) {
                return HostAddresses.getShort(h + (lin & 0xfff)) & 0xffff;
            }
        }
        return (int) readSlow(lin, 2);
    }

    int read32(long lin) {
        int j = at(lin);
        if (entries[j + R_TAG] == ((lin >>> 12) << 1 | user) && (lin & 0xfff) <= 0xffc) {
            long h = entries[j + HOST];
            if (h >= 0) {
                return HostAddresses.getInt(h + (lin & 0xfff));
            }
        }
        return (int) readSlow(lin, 4);
    }

    long read64(long lin) {
        int j = at(lin);
        if (entries[j + R_TAG] == ((lin >>> 12) << 1 | user) && (lin & 0xfff) <= 0xff8) {
            long h = entries[j + HOST];
            if (h >= 0) {
                return HostAddresses.getLong(h + (lin & 0xfff));
            }
        }
        return readSlow(lin, 8);
    }

    /** Zero-extended read of 1, 2, 4 or 8 bytes. */
    long read(long lin, int size) {
        return switch (size) {
            case 1 -> read8(lin);
            case 2 -> read16(lin);
            case 4 -> read32(lin) & 0xffffffffL;
            default -> read64(lin);
        };
    }

    void write(long lin, int size, long v) {
        switch (size) {
            case 1 -> write8(lin, (int) v);
            case 2 -> write16(lin, (int) v);
            case 4 -> write32(lin, (int) v);
            default -> write64(lin, v);
        }
    }

    /*
     * The write fast paths, one per size (a switch on the size costs translated code a call
     * and a branch per store): a TLB hit on a RAM page that holds no decoded code.
     */

    void write8(long lin, int v) {
        int j = at(lin);
        long h = entries[j + HOST];
        if (entries[j + W_TAG] == ((lin >>> 12) << 1 | user) && h >= 0 && !code.isCode(entries[j + PHYS])) {
            HostAddresses.putByte(h + (lin & 0xfff), (byte) v);
            return;
        }
        writeSlow(lin, 1, v);
    }

    void write16(long lin, int v) {
        int j = at(lin);
        long h = entries[j + HOST];
        if (entries[j + W_TAG] == ((lin >>> 12) << 1 | user) && h >= 0 && (lin & 0xfff) <= 0xffe && !code.isCode(entries[j + PHYS])) {
            HostAddresses.putShort(h + (lin & 0xfff), (short) v);
            return;
        }
        writeSlow(lin, 2, v);
    }

    void write32(long lin, int v) {
        int j = at(lin);
        long h = entries[j + HOST];
        if (entries[j + W_TAG] == ((lin >>> 12) << 1 | user) && h >= 0 && (lin & 0xfff) <= 0xffc && !code.isCode(entries[j + PHYS])) {
            HostAddresses.putInt(h + (lin & 0xfff), v);
            return;
        }
        writeSlow(lin, 4, v);
    }

    void write64(long lin, long v) {
        int j = at(lin);
        long h = entries[j + HOST];
        if (entries[j + W_TAG] == ((lin >>> 12) << 1 | user) && h >= 0 && (lin & 0xfff) <= 0xff8 && !code.isCode(entries[j + PHYS])) {
            HostAddresses.putLong(h + (lin & 0xfff), v);
            return;
        }
        writeSlow(lin, 8, v);
    }

    private void codeWritten(long pa) {
        code.written(pa);
        cpu.codeChanged = true;
    }

    /**
     * Host offset of a {@code size}-byte writable RAM operand at {@code lin} within one page,
     * or -1 (MMIO or page-crossing); translation faults are raised. For LOCK'd operations.
     */
    long hostForWrite(long lin, int size) {
        long pa = translate(lin, WRITE);
        if ((lin & 0xfff) + size > 4096) {
            translate(lin + size - 1, WRITE);
            return -1;
        }
        if (isApic(pa)) {
            return -1;
        }
        long h = memory.backingOffset(pa, size);
        if (h >= 0 && code.isCode(pa)) {
            codeWritten(pa);
        }
        return h;
    }

    // ---- slow paths ----

    private long readSlow(long lin, int size) {
        if (((lin & 0xfff) + size) > 4096) {
            long v = 0;
            for (int k = 0; k < size; k++) {
                v |= (long) (physRead(translate(lin + k, READ), 1) & 0xff) << (8 * k);
            }
            return v;
        }
        return physRead(translate(lin, READ), size);
    }

    private void writeSlow(long lin, int size, long v) {
        if (((lin & 0xfff) + size) > 4096) {
            long[] pas = new long[size];
            for (int k = 0; k < size; k++) {
                pas[k] = translate(lin + k, WRITE);
            }
            for (int k = 0; k < size; k++) {
                physWrite(pas[k], 1, v >>> (8 * k));
            }
            return;
        }
        physWrite(translate(lin, WRITE), size, v);
    }

    long translate(long lin, int kind) {
        long t = (lin >>> 12) << 1 | user;
        int i = (int) (lin >>> 12) & TLB_MASK;
        long tag = kind == READ ? entries[i * WORDS + R_TAG] : kind == WRITE ? entries[i * WORDS + W_TAG] : tagX[i];
        if (tag != t) {
            fill(lin, kind);
        }
        return entries[i * WORDS + PHYS] | (lin & 0xfff);
    }

    private boolean isApic(long pa) {
        return apicBase >= 0 && (pa & ~0xfffL) == apicBase;
    }

    long physRead(long pa, int size) {
        long mask = size == 8 ? -1L : (1L << (size * 8)) - 1;
        try {
            if (isApic(pa)) {
                return apic.mmioRead((int) (pa & 0xfff), size) & mask;
            }
            long h = memory.backingOffset(pa, size);
            if (h >= 0) {
                return switch (size) {
                    case 1 -> host.getByte(h) & 0xffL;
                    case 2 -> host.getShort(h) & 0xffffL;
                    case 4 -> host.getInt(h) & 0xffffffffL;
                    default -> host.getLong(h);
                };
            }
            return mmio.read(pa, size) & mask;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "read of {0} bytes at guest-physical 0x{1} failed: {2}", size, Long.toHexString(pa), e.toString());
            return mask;
        }
    }

    void physWrite(long pa, int size, long v) {
        try {
            if (isApic(pa)) {
                apic.mmioWrite((int) (pa & 0xfff), size, v);
                return;
            }
            long h = memory.backingOffset(pa, size);
            if (h >= 0) {
                if (code.isCode(pa)) {
                    codeWritten(pa);
                }
                switch (size) {
                    case 1 -> host.putByte(h, (byte) v);
                    case 2 -> host.putShort(h, (short) v);
                    case 4 -> host.putInt(h, (int) v);
                    default -> host.putLong(h, v);
                }
                return;
            }
            mmio.write(pa, size, v);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "write of {0} bytes at guest-physical 0x{1} failed: {2}", size, Long.toHexString(pa), e.toString());
        }
    }

    // ---- page walk ----

    private CpuFault pf(long lin, int kind, boolean present, boolean rsvd) {
        cpu.cr2 = lin;
        int err = (present ? 1 : 0) | (kind == WRITE ? 2 : 0) | (user << 2) | (rsvd ? 8 : 0)
                | (kind == FETCH && (cpu.efer & Cpu.EFER_NXE) != 0 ? 16 : 0);
        return CpuFault.withError(CpuFault.PF, err);
    }

    private long pte(long pa, boolean wide) {
        return wide ? physRead(pa, 8) : physRead(pa, 4);
    }

    /** Sets bits in a paging-structure entry atomically (other CPUs edit page tables too). */
    private void setBits(long pa, boolean wide, long old, long bits) {
        long h = memory.backingOffset(pa, wide ? 8 : 4);
        if (h < 0) {
            return;
        }
        if (wide) {
            long cur = old;
            while (!host.compareAndSetLong(h, cur, cur | bits)) {
                cur = host.getLong(h);
                if ((cur & PTE_P) == 0) {
                    return;
                }
            }
        } else {
            int cur = (int) old;
            while (!host.compareAndSetInt(h, cur, cur | (int) bits)) {
                cur = host.getInt(h);
                if ((cur & PTE_P) == 0) {
                    return;
                }
            }
        }
    }

    private void fill(long lin, int kind) {
        long pa;
        boolean rw = true, us = true, nx = false, glob = false, large = false, dirty = true;
        if ((cpu.cr0 & Cpu.CR0_PG) == 0) {
            pa = lin & 0xffff_ffff_ffff_f000L;
        } else {
            long e;
            long eAddr;
            boolean wide;
            int pageShift;
            if ((cpu.efer & Cpu.EFER_LMA) != 0) {
                if (((lin << 16) >> 16) != lin) {
                    throw CpuFault.gp(0); // non-canonical (SDM vol. 3A §3.3.7.1)
                }
                wide = true;
                long table = cpu.cr3 & ADDR_MASK;
                int level = 4;
                for (;;) {
                    int shift = 12 + 9 * (level - 1);
                    eAddr = table + ((lin >>> shift) & 511) * 8;
                    e = pte(eAddr, true);
                    if ((e & PTE_P) == 0) {
                        throw pf(lin, kind, false, false);
                    }
                    rw &= (e & PTE_RW) != 0;
                    us &= (e & PTE_US) != 0;
                    nx |= (e & PTE_NX) != 0;
                    boolean leaf = level == 1 || ((level == 2 || level == 3) && (e & PTE_PS) != 0);
                    if (!leaf && (e & PTE_A) == 0) {
                        setBits(eAddr, true, e, PTE_A);
                    }
                    if (leaf) {
                        pageShift = shift;
                        break;
                    }
                    table = e & ADDR_MASK;
                    level--;
                }
            } else if ((cpu.cr4 & Cpu.CR4_PAE) != 0) {
                wide = true;
                long pdpte = pte((cpu.cr3 & 0xffffffe0L) + ((lin >>> 30) & 3) * 8, true);
                if ((pdpte & PTE_P) == 0) {
                    throw pf(lin, kind, false, false);
                }
                eAddr = (pdpte & ADDR_MASK) + ((lin >>> 21) & 511) * 8;
                e = pte(eAddr, true);
                if ((e & PTE_P) == 0) {
                    throw pf(lin, kind, false, false);
                }
                rw = (e & PTE_RW) != 0;
                us = (e & PTE_US) != 0;
                nx = (e & PTE_NX) != 0;
                pageShift = 21;
                if ((e & PTE_PS) == 0) {
                    if ((e & PTE_A) == 0) {
                        setBits(eAddr, true, e, PTE_A);
                    }
                    eAddr = (e & ADDR_MASK) + ((lin >>> 12) & 511) * 8;
                    e = pte(eAddr, true);
                    if ((e & PTE_P) == 0) {
                        throw pf(lin, kind, false, false);
                    }
                    rw &= (e & PTE_RW) != 0;
                    us &= (e & PTE_US) != 0;
                    nx |= (e & PTE_NX) != 0;
                    pageShift = 12;
                }
            } else {
                wide = false;
                eAddr = (cpu.cr3 & 0xfffff000L) + ((lin >>> 22) & 1023) * 4;
                e = pte(eAddr, false);
                if ((e & PTE_P) == 0) {
                    throw pf(lin, kind, false, false);
                }
                rw = (e & PTE_RW) != 0;
                us = (e & PTE_US) != 0;
                pageShift = 22;
                if ((e & PTE_PS) == 0 || (cpu.cr4 & Cpu.CR4_PSE) == 0) {
                    if ((e & PTE_A) == 0) {
                        setBits(eAddr, false, e, PTE_A);
                    }
                    eAddr = (e & 0xfffff000L) + ((lin >>> 12) & 1023) * 4;
                    e = pte(eAddr, false);
                    if ((e & PTE_P) == 0) {
                        throw pf(lin, kind, false, false);
                    }
                    rw &= (e & PTE_RW) != 0;
                    us &= (e & PTE_US) != 0;
                    pageShift = 12;
                }
            }
            if ((cpu.efer & Cpu.EFER_NXE) == 0) {
                nx = false;
            }
            // permission checks (SDM vol. 3A §4.6)
            if (user == 1 && !us) {
                throw pf(lin, kind, true, false);
            }
            if (kind == WRITE && !rw && (user == 1 || (cpu.cr0 & Cpu.CR0_WP) != 0)) {
                throw pf(lin, kind, true, false);
            }
            if (kind == FETCH && nx) {
                throw pf(lin, kind, true, false);
            }
            long bits = PTE_A | (kind == WRITE ? PTE_D : 0);
            if ((e & bits) != bits) {
                setBits(eAddr, wide, e, bits);
                e |= bits;
            }
            dirty = (e & PTE_D) != 0;
            glob = (e & PTE_G) != 0 && pageShift == 12 || (e & PTE_G) != 0;
            large = pageShift > 12;
            long frame;
            if (pageShift == 22 && !wide) {
                frame = (e & 0xffc00000L) | ((e & 0x1fe000L) << 19); // PSE-36
            } else {
                frame = e & ADDR_MASK & ~((1L << pageShift) - 1);
            }
            pa = frame | (lin & ((1L << pageShift) - 1) & ~0xfffL);
            if (!(user == 1 ? us : true)) {
                rw = false;
            }
            rw = rw || (user == 0 && (cpu.cr0 & Cpu.CR0_WP) == 0);
        }
        int i = (int) (lin >>> 12) & TLB_MASK;
        int j = i * WORDS;
        long v = lin >>> 12;
        if (vpn[i] != v || entries[j + PHYS] != pa) {
            entries[j + R_TAG] = entries[j + W_TAG] = tagX[i] = -1;
        }
        vpn[i] = v;
        entries[j + PHYS] = pa;
        global[i] = glob;
        hasLarge |= large;
        long h = isApic(pa) ? -1 : memory.backingOffset(pa, 4096);
        entries[j + HOST] = h < 0 ? -1 : hostBase + h;
        long t = v << 1 | user;
        if (entries[j + R_TAG] != t && entries[j + R_TAG] != -1) {
            entries[j + R_TAG] = entries[j + W_TAG] = tagX[i] = -1; // entry held the other privilege level
        }
        entries[j + R_TAG] = t;
        if (rw && dirty) {
            entries[j + W_TAG] = t;
        }
        if (!nx) {
            tagX[i] = t;
        }
    }
}
