package io.jvirt.vmm.accel.tcg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Local APIC registers, priorities, EOI and IPI routing (Intel SDM vol. 3A chapter 11). */
class LocalApicTest {

    @Test
    void resetStateMatchesTheSdm() {
        try (ApicFixture f = new ApicFixture(2)) {
            assertEquals(0xfee00000L | LocalApic.BASE_ENABLE | LocalApic.BASE_BSP, f.apic(0).readMsr(0x1b));
            assertEquals(0xfee00000L | LocalApic.BASE_ENABLE, f.apic(1).readMsr(0x1b));
            assertEquals(1 << 24, f.read(1, ApicRegisters.ID));
            assertEquals(0x00050014, f.read(0, ApicRegisters.VERSION));
            assertEquals(0xffffffff, f.read(0, ApicRegisters.DFR));
            assertEquals(0xff, f.read(0, ApicRegisters.SVR));
            assertEquals(ApicRegisters.LVT_MASKED, f.read(0, 0x350));
            assertEquals(0xfee00000L, f.apic(0).mmioBase());
        }
    }

    @Test
    void softwareDisabledApicDropsFixedInterrupts() {
        try (ApicFixture f = new ApicFixture(1)) {
            f.apic(0).acceptFixed(0x40, false);
            assertFalse(f.apic(0).hasInterrupt());
            f.enableAll();
            f.apic(0).acceptFixed(0x40, false);
            assertTrue(f.apic(0).hasInterrupt());
        }
    }

    @Test
    void priorityClassesTprAndEoi() {
        try (ApicFixture f = new ApicFixture(1).enableAll()) {
            LocalApic a = f.apic(0);
            a.acceptFixed(0x41, false);
            a.acceptFixed(0x62, false);
            f.write(0, ApicRegisters.TPR, 0x70);
            assertFalse(a.hasInterrupt(), "TPR class 7 blocks classes 4 and 6");
            assertEquals(-1, a.acknowledge());
            f.write(0, ApicRegisters.TPR, 0x50);
            assertTrue(a.hasInterrupt());
            assertEquals(0x62, a.acknowledge());
            assertEquals(0x60, f.read(0, ApicRegisters.PPR), "PPR follows the in-service class");
            assertFalse(a.hasInterrupt(), "0x41 waits behind 0x62 in service");
            a.acceptFixed(0x93, false);
            assertEquals(0x93, a.acknowledge(), "a higher class nests");
            assertTrue((f.read(0, ApicRegisters.ISR_BASE + 0x40) & (1 << (0x93 - 0x80))) != 0);
            f.write(0, ApicRegisters.EOI, 0);
            f.write(0, ApicRegisters.EOI, 0);
            assertEquals(0x50, f.read(0, ApicRegisters.PPR));
            f.write(0, ApicRegisters.TPR, 0);
            assertEquals(0x41, a.acknowledge());
            assertEquals(0, f.read(0, ApicRegisters.IRR_BASE + 0x20), "IRR empty after INTA");
        }
    }

    @Test
    void fixedIpiPhysicalAndShorthands() {
        try (ApicFixture f = new ApicFixture(3).enableAll()) {
            // Each acknowledge below is followed by an EOI so the next vector of the class can come in.
            f.write(0, ApicRegisters.ICR_HIGH, 2 << 24);
            f.write(0, ApicRegisters.ICR_LOW, 0x4050); // fixed, physical, assert, vector 0x50
            assertFalse(f.apic(1).hasInterrupt());
            assertEquals(0x50, f.apic(2).acknowledge());
            f.write(2, ApicRegisters.EOI, 0);
            assertEquals(0, f.read(0, ApicRegisters.ICR_LOW) & (1 << 12), "delivery status idle");

            f.write(1, ApicRegisters.ICR_LOW, 0xc4051); // all excluding self
            assertEquals(0x51, f.apic(0).acknowledge());
            assertEquals(0x51, f.apic(2).acknowledge());
            f.write(0, ApicRegisters.EOI, 0);
            f.write(2, ApicRegisters.EOI, 0);
            assertFalse(f.apic(1).hasInterrupt());

            f.write(1, ApicRegisters.ICR_LOW, 0x44052); // self
            assertEquals(0x52, f.apic(1).acknowledge());
            f.write(1, ApicRegisters.EOI, 0);
            f.write(2, ApicRegisters.ICR_LOW, 0x84053); // all including self
            for (int i = 0; i < 3; i++) {
                assertEquals(0x53, f.apic(i).acknowledge());
                f.write(i, ApicRegisters.EOI, 0);
            }
            f.write(0, ApicRegisters.ICR_HIGH, 0xff << 24);
            f.write(0, ApicRegisters.ICR_LOW, 0x4054); // physical broadcast
            for (int i = 0; i < 3; i++) {
                assertEquals(0x54, f.apic(i).acknowledge());
            }
        }
    }

    @Test
    void logicalFlatAndClusterDestinations() {
        try (ApicFixture f = new ApicFixture(3).enableAll()) {
            for (int i = 0; i < 3; i++) {
                f.write(i, ApicRegisters.LDR, (1 << i) << 24); // flat: one bit per CPU
            }
            f.write(0, ApicRegisters.ICR_HIGH, 0b110 << 24);
            f.write(0, ApicRegisters.ICR_LOW, 0x4860); // fixed, logical
            assertFalse(f.apic(0).hasInterrupt());
            assertEquals(0x60, f.apic(1).acknowledge());
            assertEquals(0x60, f.apic(2).acknowledge());
            f.write(1, ApicRegisters.EOI, 0);
            f.write(2, ApicRegisters.EOI, 0);

            for (int i = 0; i < 3; i++) {
                f.write(i, ApicRegisters.DFR, 0x0fffffff); // cluster model
            }
            f.write(0, ApicRegisters.LDR, 0x11 << 24); // cluster 1, bit 0
            f.write(1, ApicRegisters.LDR, 0x12 << 24); // cluster 1, bit 1
            f.write(2, ApicRegisters.LDR, 0x21 << 24); // cluster 2, bit 0
            f.write(0, ApicRegisters.ICR_HIGH, 0x13 << 24);
            f.write(0, ApicRegisters.ICR_LOW, 0x4861);
            assertEquals(0x61, f.apic(0).acknowledge());
            assertEquals(0x61, f.apic(1).acknowledge());
            assertFalse(f.apic(2).hasInterrupt());
        }
    }

    @Test
    void lowestPriorityPicksTheLowestTpr() {
        try (ApicFixture f = new ApicFixture(3).enableAll()) {
            for (int i = 0; i < 3; i++) {
                f.write(i, ApicRegisters.LDR, (1 << i) << 24);
                f.write(i, ApicRegisters.TPR, i == 1 ? 0x10 : 0x20);
            }
            f.write(0, ApicRegisters.ICR_HIGH, 0x07 << 24);
            f.write(0, ApicRegisters.ICR_LOW, 0x4970); // lowest priority, logical
            assertTrue(f.apic(1).hasInterrupt());
            assertFalse(f.apic(0).hasInterrupt());
            assertFalse(f.apic(2).hasInterrupt());
        }
    }

    @Test
    void initAndStartupIpis() {
        try (ApicFixture f = new ApicFixture(2).enableAll()) {
            long before = f.bells.get(1).generation();
            f.write(0, ApicRegisters.ICR_HIGH, 1 << 24);
            f.write(0, ApicRegisters.ICR_LOW, 0xc500); // INIT assert, level
            f.write(0, ApicRegisters.ICR_LOW, 0x8500); // INIT de-assert: ignored
            f.write(0, ApicRegisters.ICR_LOW, 0x4608); // SIPI vector 0x08
            f.write(0, ApicRegisters.ICR_LOW, 0x4609); // second SIPI: ignored
            assertTrue(f.bells.get(1).generation() > before, "the target vCPU was rung");
            assertTrue(f.apic(1).takeInit());
            assertEquals(0x08, f.apic(1).takeStartup());
            assertEquals(-1, f.apic(1).takeStartup());
            assertFalse(f.apic(1).takeInit());
            // A SIPI outside wait-for-SIPI is ignored.
            f.write(0, ApicRegisters.ICR_LOW, 0x4610);
            assertEquals(-1, f.apic(1).takeStartup());
        }
    }

    @Test
    void nmiIpiAndIllegalVector() {
        try (ApicFixture f = new ApicFixture(2).enableAll()) {
            f.write(0, ApicRegisters.ICR_HIGH, 1 << 24);
            f.write(0, ApicRegisters.ICR_LOW, 0x4400);
            assertTrue(f.apic(1).takeNmi());
            assertFalse(f.apic(1).takeNmi());
            f.write(0, ApicRegisters.ICR_LOW, 0x4005); // fixed vector 5: send illegal vector
            f.write(0, ApicRegisters.ESR, 0);
            assertEquals(ApicRegisters.ESR_SEND_ILLEGAL_VECTOR, f.read(0, ApicRegisters.ESR));
            assertFalse(f.apic(1).hasInterrupt());
        }
    }

    @Test
    void picReachesTheCpuThroughLint0ExtInt() {
        try (ApicFixture f = new ApicFixture(1)) {
            f.apic(0).reset(true, true); // virtual wire, as TcgVcpu.reset does for the BSP
            f.pic.setIrq(1, true);
            assertFalse(f.apic(0).hasInterrupt(), "the PIC resets with every IRQ masked");
            var pio = io.jvirt.vmm.devices.IoBus.create("pio");
            f.pic.register(pio);
            pio.write(0x21, 1, 0);
            assertTrue(f.apic(0).hasInterrupt());
            assertEquals(0x09, f.apic(0).acknowledge(), "vector base 0x08 as firmware leaves it");
            f.write(0, 0x350, ApicRegisters.LVT_MASKED | 0x700); // mask LINT0
            f.pic.setIrq(3, true);
            assertFalse(f.apic(0).hasInterrupt());
        }
    }

    @Test
    void x2apicMsrsAfterEnablingExtd() {
        try (ApicFixture f = new ApicFixture(2).enableAll()) {
            assertFalse(f.apic(1).ownsMsr(0x802), "x2APIC MSRs #GP in xAPIC mode");
            for (int i = 0; i < 2; i++) {
                f.apic(i).writeMsr(0x1b, 0xfee00000L | LocalApic.BASE_ENABLE | LocalApic.BASE_EXTD);
            }
            LocalApic a = f.apic(1);
            assertTrue(a.ownsMsr(0x802));
            assertFalse(a.ownsMsr(0x80e), "no DFR in x2APIC mode");
            assertEquals(-1, a.mmioBase(), "the MMIO page is gone in x2APIC mode");
            assertEquals(1, a.readMsr(0x802));
            assertEquals((0 << 16) | (1 << 1), a.readMsr(0x80d));
            f.apic(0).writeMsr(0x830, (1L << 32) | 0x4055);
            assertEquals(0x55, a.acknowledge());
            a.writeMsr(0x80b, 0);
            a.writeMsr(0x83f, 0x66);
            assertEquals(0x66, a.acknowledge());
            assertEquals(0x60, a.readMsr(0x80a));
        }
    }
}
