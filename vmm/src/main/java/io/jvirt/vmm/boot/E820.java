package io.jvirt.vmm.boot;

import io.jvirt.vmm.memory.GuestMemory;
import java.util.ArrayList;
import java.util.List;

/**
 * The BIOS e820 memory map handed to the kernel in boot_params (zero-page.rst: e820_entries at
 * 0x1e8, e820_table at 0x2d0, 20 bytes per entry: u64 addr, u64 size, u32 type).
 */
record E820(List<Entry> entries) {

    static final int RAM = 1;       // E820_TYPE_RAM, arch/x86/include/uapi/asm/e820.h
    static final int RESERVED = 2;  // E820_TYPE_RESERVED
    /** Start of the EBDA: the top of conventional memory is reserved (LAYOUT.md). */
    static final long EBDA_START = 0x9fc00;
    static final long HIGH_MEMORY = 0x100000;
    static final int ENTRY_SIZE = 20;
    static final int MAX_ENTRIES = 128; // E820_MAX_ENTRIES_ZEROPAGE

    record Entry(long address, long size, int type) {
    }

    /** RAM below the EBDA, the reserved 0x9fc00–0x100000 hole, then every RAM region from 1 MiB on. */
    static E820 of(GuestMemory memory) {
        List<Entry> list = new ArrayList<>();
        for (GuestMemory.Region r : memory.regions()) {
            long start = r.guestAddress();
            long end = r.end();
            if (start < HIGH_MEMORY) {
                list.add(new Entry(start, Math.min(end, EBDA_START) - start, RAM));
                list.add(new Entry(EBDA_START, HIGH_MEMORY - EBDA_START, RESERVED));
                start = HIGH_MEMORY;
            }
            if (end > start) {
                list.add(new Entry(start, end - start, RAM));
            }
        }
        return new E820(List.copyOf(list));
    }

    /** Writes the table into the zero page at {@code bootParams}. */
    void write(GuestMemory memory, long bootParams) {
        memory.writeByte(bootParams + ZeroPage.E820_ENTRIES, (byte) entries.size());
        long at = bootParams + ZeroPage.E820_TABLE;
        for (Entry e : entries) {
            memory.writeLong(at, e.address());
            memory.writeLong(at + 8, e.size());
            memory.writeInt(at + 16, e.type());
            at += ENTRY_SIZE;
        }
    }
}
