package io.jvirt.vmm.accel.tcg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.vmm.devices.IoBus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The 8259 pair through its ports, initialised the way Linux's i8259.c init_8259A does. */
class PicTest {

    private final IoBus pio = IoBus.create("pio");
    private final Pic pic = new Pic();
    private int changes;

    @BeforeEach
    void linuxInit() {
        pic.register(pio);
        pic.onChange(() -> changes++);
        pio.write(0x21, 1, 0xff); // mask all
        pio.write(0xa1, 1, 0xff);
        pio.write(0x20, 1, 0x11); // ICW1: edge, cascade, ICW4
        pio.write(0x21, 1, 0x30); // ICW2: vectors 0x30..0x37
        pio.write(0x21, 1, 0x04); // ICW3: slave on IR2
        pio.write(0x21, 1, 0x01); // ICW4: 8086, normal EOI
        pio.write(0xa0, 1, 0x11);
        pio.write(0xa1, 1, 0x38);
        pio.write(0xa1, 1, 0x02);
        pio.write(0xa1, 1, 0x01);
        pio.write(0x21, 1, 0x00); // unmask all
        pio.write(0xa1, 1, 0x00);
    }

    private int isr(int port) {
        pio.write(port, 1, 0x0b); // OCW3: read ISR
        int v = (int) pio.read(port, 1);
        pio.write(port, 1, 0x0a); // back to IRR
        return v;
    }

    @Test
    void higherPriorityIrqIsAcknowledgedFirstAndNestsUntilEoi() {
        pic.setIrq(3, true);
        pic.setIrq(1, true);
        assertTrue(pic.output());
        assertEquals(0x31, pic.acknowledge());
        assertEquals(0x02, isr(0x20));
        // IRQ3 is lower priority than IRQ1 in service: INTR stays low until EOI.
        assertFalse(pic.output());
        pic.setIrq(0, true);
        assertTrue(pic.output(), "IRQ0 outranks IRQ1 in service");
        assertEquals(0x30, pic.acknowledge());
        pio.write(0x20, 1, 0x20); // non-specific EOI: IRQ0
        pio.write(0x20, 1, 0x20); // IRQ1
        assertEquals(0, isr(0x20));
        assertTrue(pic.output());
        assertEquals(0x33, pic.acknowledge());
        assertTrue(changes > 0);
    }

    @Test
    void edgeIsLatchedOnceAndLevelFollowsTheLine() {
        pic.setIrq(4, true);
        pic.setIrq(4, false);
        assertTrue(pic.output(), "a pulse is latched in IRR");
        assertEquals(0x34, pic.acknowledge());
        pio.write(0x20, 1, 0x20);
        assertFalse(pic.output(), "an edge request is consumed by INTA");

        pio.write(0x4d1, 1, 1 << (10 - 8)); // IRQ10 level-triggered
        assertEquals(1 << 2, pio.read(0x4d1, 1));
        pic.setIrq(10, true);
        assertEquals(0x3a, pic.acknowledge());
        pio.write(0xa0, 1, 0x20);
        pio.write(0x20, 1, 0x20);
        assertTrue(pic.output(), "a level request stays while the line is high");
        pic.setIrq(10, false);
        assertFalse(pic.output());
    }

    @Test
    void slaveIrqCascadesThroughMasterIrq2() {
        pic.setIrq(12, true);
        assertTrue(pic.output());
        assertEquals(0x3c, pic.acknowledge());
        assertEquals(1 << 2, isr(0x20));
        assertEquals(1 << 4, isr(0xa0));
        pio.write(0xa0, 1, 0x20);
        pio.write(0x20, 1, 0x20);
        assertEquals(0, isr(0x20));
        assertEquals(0, isr(0xa0));
    }

    @Test
    void maskedIrqWaitsAndSpuriousAcknowledgeAnswersIrq7() {
        pio.write(0x21, 1, 1 << 5);
        pic.setIrq(5, true);
        assertFalse(pic.output());
        assertEquals(1 << 5, pio.read(0x20, 1) & (1 << 5), "IRR shows the masked request");
        assertEquals(0x37, pic.acknowledge(), "INTA with nothing pending: spurious IRQ7");
        assertEquals(0, isr(0x20), "a spurious IRQ7 is not put in service");
        pio.write(0x21, 1, 0);
        assertTrue(pic.output());
        assertEquals(0x35, pic.acknowledge());
    }

    @Test
    void autoEoiLeavesNothingInService() {
        pio.write(0x20, 1, 0x11);
        pio.write(0x21, 1, 0x30);
        pio.write(0x21, 1, 0x04);
        pio.write(0x21, 1, 0x03); // ICW4: AEOI
        pic.setIrq(6, true);
        assertEquals(0x36, pic.acknowledge());
        assertEquals(0, isr(0x20));
    }

    @Test
    void specificEoiAndRotation() {
        pic.setIrq(3, true);
        pic.setIrq(5, true);
        assertEquals(0x33, pic.acknowledge());
        pio.write(0x20, 1, 0x60 | 3); // specific EOI IRQ3
        assertEquals(0, isr(0x20));
        pio.write(0x20, 1, 0xc0 | 5); // set priority: IRQ5 lowest -> IRQ6 highest
        pic.setIrq(3, false);
        pic.setIrq(3, true);
        // IRQ5 pending is now lowest; IRQ3 still beats it (3 comes after 6,7,0,1,2).
        assertEquals(0x33, pic.acknowledge());
    }

    @Test
    void pollModeReadsTheHighestRequest() {
        pic.setIrq(2 + 4, true);
        pio.write(0x20, 1, 0x0c); // OCW3: poll
        assertEquals(0x80 | 6, pio.read(0x20, 1));
        assertEquals(1 << 6, isr(0x20));
    }

    @Test
    void elcrCannotMakeTimerKeyboardOrCascadeLevel() {
        pio.write(0x4d0, 1, 0xff);
        assertEquals(0xf8, pio.read(0x4d0, 1));
        pio.write(0x4d1, 1, 0xff);
        assertEquals(0xde, pio.read(0x4d1, 1));
    }
}
