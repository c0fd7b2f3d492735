package io.jvirt.vmm.arch.x86_64.firmware;

/** ACPI resource data descriptors for _CRS buffers (ACPI 6.5 §6.4). */
final class Resources {
    private Resources() {
    }

    /** IO(Decode16, min, max, align, length): small I/O port descriptor, §6.4.2.5. */
    static byte[] io(int min, int max, int align, int length) {
        return new Bytes().u8(0x47).u8(0x01).u16(min).u16(max).u8(align).u8(length).toArray();
    }

    /** IRQNoFlags() { irqs }: small IRQ descriptor without flags (edge, active high), §6.4.2.1. */
    static byte[] irqNoFlags(int... irqs) {
        int mask = 0;
        for (int irq : irqs) {
            if (irq < 0 || irq > 15) {
                throw new IllegalArgumentException("IRQ descriptor: IRQ " + irq + " is not an ISA IRQ 0..15");
            }
            mask |= 1 << irq;
        }
        return new Bytes().u8(0x22).u16(mask).toArray();
    }

    /** Memory32Fixed(ReadWrite, base, length): large descriptor 0x86, §6.4.3.4. */
    static byte[] memory32Fixed(long base, long length) {
        return new Bytes().u8(0x86).u16(9).u8(0x01).u32(base).u32(length).toArray();
    }

    /**
     * Interrupt(ResourceConsumer, Level, ActiveHigh, Exclusive) { gsis }: extended interrupt
     * descriptor 0x89, §6.4.3.6 (flags: bit 0 consumer, bit 1 edge, bit 2 active low, bit 3 shared).
     */
    static byte[] interruptLevelHigh(int... gsis) {
        Bytes b = new Bytes().u8(0x89).u16(2 + 4 * gsis.length).u8(0x01).u8(gsis.length);
        for (int g : gsis) {
            b.u32(g);
        }
        return b.toArray();
    }
}
