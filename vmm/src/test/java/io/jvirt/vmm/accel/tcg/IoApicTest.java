package io.jvirt.vmm.accel.tcg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The IOAPIC through IOREGSEL/IOWIN, delivering to real LAPICs on the bus. */
class IoApicTest {

    private static void writeEntry(IoApic io, int pin, long entry) {
        io.write(IoApic.IOREGSEL, 4, 0x10 + 2 * pin + 1);
        io.write(IoApic.IOWIN, 4, entry >>> 32);
        io.write(IoApic.IOREGSEL, 4, 0x10 + 2 * pin);
        io.write(IoApic.IOWIN, 4, entry & 0xffffffffL);
    }

    private static long readReg(IoApic io, int reg) {
        io.write(IoApic.IOREGSEL, 4, reg);
        return io.read(IoApic.IOWIN, 4);
    }

    @Test
    void identificationRegisters() {
        try (ApicFixture f = new ApicFixture(1)) {
            assertEquals(0x00170011L, readReg(f.ioapic, 1), "version 0x11, 24 entries");
            f.ioapic.write(IoApic.IOREGSEL, 4, 0);
            f.ioapic.write(IoApic.IOWIN, 4, 0x0a000000L);
            assertEquals(0x0a000000L, readReg(f.ioapic, 0));
            assertEquals(0x0a000000L, readReg(f.ioapic, 2));
            assertEquals(IoApic.MASKED, readReg(f.ioapic, 0x10), "entries reset masked");
            assertEquals(0, readReg(f.ioapic, 0x10 + 2 * 24), "past the last pin");
        }
    }

    @Test
    void edgePinDeliversOncePerRisingEdgeAndRemembersAMaskedEdge() {
        try (ApicFixture f = new ApicFixture(2).enableAll()) {
            writeEntry(f.ioapic, 2, (1L << 56) | 0x30); // edge, physical dest 1, vector 0x30
            f.ioapic.setLevel(2, true);
            assertTrue(f.apic(1).hasInterrupt());
            assertFalse(f.apic(0).hasInterrupt());
            assertEquals(0x30, f.apic(1).acknowledge());
            f.write(1, ApicRegisters.EOI, 0);
            f.ioapic.setLevel(2, true); // still high: no new edge
            assertFalse(f.apic(1).hasInterrupt());
            f.ioapic.setLevel(2, false);

            writeEntry(f.ioapic, 2, (1L << 56) | IoApic.MASKED | 0x30);
            f.ioapic.setLevel(2, true);
            f.ioapic.setLevel(2, false);
            assertFalse(f.apic(1).hasInterrupt(), "masked");
            writeEntry(f.ioapic, 2, (1L << 56) | 0x30);
            assertEquals(0x30, f.apic(1).acknowledge(), "the masked edge arrives on unmask");
        }
    }

    @Test
    void levelPinHoldsRemoteIrrUntilEoiAndRedeliversWhileAsserted() {
        try (ApicFixture f = new ApicFixture(1).enableAll()) {
            writeEntry(f.ioapic, 9, IoApic.LEVEL | 0x49);
            f.ioapic.setLevel(9, true);
            assertTrue((f.ioapic.entry(9) & IoApic.REMOTE_IRR) != 0);
            assertEquals(0x49, f.apic(0).acknowledge());
            assertTrue((f.read(0, ApicRegisters.TMR_BASE + 0x20) & (1 << (0x49 - 0x40))) != 0, "TMR marks level");
            f.write(0, ApicRegisters.EOI, 0); // line still high: EOI broadcast redelivers
            assertTrue((f.ioapic.entry(9) & IoApic.REMOTE_IRR) != 0);
            assertEquals(0x49, f.apic(0).acknowledge());
            f.ioapic.setLevel(9, false);
            f.write(0, ApicRegisters.EOI, 0);
            assertEquals(0, f.ioapic.entry(9) & IoApic.REMOTE_IRR);
            assertFalse(f.apic(0).hasInterrupt());
            writeEntry(f.ioapic, 9, IoApic.LEVEL | 0x49 | IoApic.REMOTE_IRR);
            assertEquals(0, f.ioapic.entry(9) & IoApic.REMOTE_IRR, "Remote IRR is read-only");
        }
    }

    @Test
    void logicalDestinationAndLowestPriority() {
        try (ApicFixture f = new ApicFixture(2).enableAll()) {
            f.write(0, ApicRegisters.LDR, 1 << 24);
            f.write(1, ApicRegisters.LDR, 2 << 24);
            f.write(0, ApicRegisters.TPR, 0x20);
            writeEntry(f.ioapic, 4, (3L << 56) | IoApic.DEST_LOGICAL | (1 << 8) | 0x34);
            f.ioapic.setLevel(4, true);
            assertTrue(f.apic(1).hasInterrupt(), "lowest priority: CPU 1 (TPR 0)");
            assertFalse(f.apic(0).hasInterrupt());
        }
    }
}
