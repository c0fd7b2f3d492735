package io.jvirt.vmm.accel.tcg;

import io.jvirt.vmm.memory.GuestMemory;

/**
 * The long-mode tables the tcg guest-code tests share (LAYOUT.md): a flat GDT at 0x500 (0x10
 * code64, 0x18 data), an identity map of 4 GiB with 2 MiB pages at 0x9000, and an IDT whose
 * every external vector (0x20-0xff) is a 64-bit interrupt gate to one handler.
 */
final class LongModeTables {
    private LongModeTables() {
    }

    static void write(GuestMemory memory, long idt, long handler) {
        long[] gdt = {0, 0, 0x00af9b000000ffffL, 0x00cf93000000ffffL};
        for (int i = 0; i < gdt.length; i++) {
            memory.writeLong(0x500 + 8L * i, gdt[i]);
        }
        memory.writeLong(0x9000, 0xa000 | 0x3);
        for (int i = 0; i < 4; i++) {
            memory.writeLong(0xa000 + 8L * i, (0xb000 + 0x1000L * i) | 0x3);
            for (int j = 0; j < 512; j++) {
                memory.writeLong(0xb000 + 0x1000L * i + 8L * j, (((long) i << 30) | ((long) j << 21)) | 0x83);
            }
        }
        for (int v = 0x20; v < 0x100; v++) {
            long low = (handler & 0xffff) | (0x10L << 16) | (0x8eL << 40) | (((handler >>> 16) & 0xffff) << 48);
            memory.writeLong(idt + 16L * v, low);
            memory.writeLong(idt + 16L * v + 8, handler >>> 32);
        }
    }
}
