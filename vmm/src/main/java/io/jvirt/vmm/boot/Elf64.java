package io.jvirt.vmm.boot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of an ELF64 little-endian x86-64 executable a loader needs: the entry point and
 * the PT_LOAD program headers (System V gABI, "ELF Header" and "Program Header").
 */
record Elf64(long entry, List<Segment> loads) {

    // gABI e_ident and field offsets for ELFCLASS64.
    static final int EI_CLASS = 4;
    static final int EI_DATA = 5;
    static final int ELFCLASS64 = 2;
    static final int ELFDATA2LSB = 1;
    static final int E_MACHINE = 18;
    static final int EM_X86_64 = 62;
    static final int E_ENTRY = 24;
    static final int E_PHOFF = 32;
    static final int E_PHENTSIZE = 54;
    static final int E_PHNUM = 56;
    static final int PHDR_SIZE = 56;
    static final int PT_LOAD = 1;
    static final int HEADER_SIZE = 64;

    record Segment(long offset, long vaddr, long paddr, long filesz, long memsz) {
    }

    /** True for "\x7fELF", class 64, little-endian, machine x86-64. */
    static boolean isElf64(byte[] b) {
        return b.length >= HEADER_SIZE && b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F'
                && b[EI_CLASS] == ELFCLASS64 && b[EI_DATA] == ELFDATA2LSB
                && (le(b).getShort(E_MACHINE) & 0xffff) == EM_X86_64;
    }

    /** Parses the header; throws {@link BootException} naming {@code name} if it is malformed. */
    static Elf64 parse(byte[] b, String name) {
        ByteBuffer bb = le(b);
        long phoff = bb.getLong(E_PHOFF);
        int phentsize = bb.getShort(E_PHENTSIZE) & 0xffff;
        int phnum = bb.getShort(E_PHNUM) & 0xffff;
        if (phentsize < PHDR_SIZE || phoff < 0 || phoff > b.length
                || (long) phentsize * phnum > b.length - phoff) {
            throw new BootException(name + ": ELF program headers (offset " + phoff + ", " + phnum + " x "
                    + phentsize + " bytes) lie outside the file; the file is truncated or not a kernel");
        }
        List<Segment> loads = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            int at = (int) (phoff + (long) i * phentsize);
            if (bb.getInt(at) != PT_LOAD) {
                continue;
            }
            Segment s = new Segment(bb.getLong(at + 8), bb.getLong(at + 16), bb.getLong(at + 24),
                    bb.getLong(at + 32), bb.getLong(at + 40));
            if (s.filesz() < 0 || s.memsz() < 0 || s.filesz() > s.memsz() || s.offset() < 0
                    || s.offset() > b.length || s.filesz() > b.length - s.offset()) {
                throw new BootException(String.format("%s: PT_LOAD %d (offset 0x%x, filesz 0x%x, memsz 0x%x) does not"
                        + " fit the file of %d bytes; the file is truncated or corrupt", name, i, s.offset(),
                        s.filesz(), s.memsz(), b.length));
            }
            loads.add(s);
        }
        if (loads.isEmpty()) {
            throw new BootException(name + ": ELF file has no PT_LOAD segment; pass a linked kernel or payload");
        }
        return new Elf64(bb.getLong(E_ENTRY), List.copyOf(loads));
    }

    /**
     * The entry point as a physical address: e_entry translated through the PT_LOAD whose
     * virtual range holds it (vmlinux links at __START_KERNEL_map), or e_entry itself when it
     * already falls in a segment's physical range. -1 when it is in neither.
     */
    long physicalEntry() {
        for (Segment s : loads) {
            if (Long.compareUnsigned(entry - s.vaddr(), Math.max(s.memsz(), 1)) < 0) {
                return s.paddr() + (entry - s.vaddr());
            }
        }
        for (Segment s : loads) {
            if (Long.compareUnsigned(entry - s.paddr(), Math.max(s.memsz(), 1)) < 0) {
                return entry;
            }
        }
        return -1;
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }
}
