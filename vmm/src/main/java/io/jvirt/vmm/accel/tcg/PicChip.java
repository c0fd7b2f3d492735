package io.jvirt.vmm.accel.tcg;

/**
 * One Intel 8259A (data sheet 231468): IRR/ISR/IMR, fully nested priority with rotation,
 * ICW1–ICW4 initialisation, OCW1–OCW3, auto-EOI, special mask and poll mode, and the edge/level
 * sense from the ELCR (PIIX/ICH "Edge/Level Control Register"). Plain state: {@link Pic} holds
 * the lock and wires the cascade.
 */
final class PicChip {

    final boolean master;
    /** ELCR bits that may be set: master IRQ0-2 and slave IRQ8/IRQ13 are always edge (PIIX4 data sheet, ELCR1/ELCR2). */
    final int elcrMask;

    int irr;
    int imr;
    int isr;
    int elcr;
    /** Input levels as last seen, for edge detection. */
    int lastLevels;
    int priorityAdd;
    int irqBase;
    boolean readIsr;
    boolean poll;
    boolean specialMask;
    int initState;
    boolean needIcw4;
    boolean single;
    boolean autoEoi;
    boolean rotateOnAutoEoi;
    boolean specialFullyNested;

    PicChip(boolean master) {
        this.master = master;
        this.elcrMask = master ? 0xf8 : 0xde;
    }

    void reset() {
        initReset();
        elcr = 0;
    }

    /** What ICW1 resets (data sheet: "Initialization Command Words"); the ELCR survives. */
    void initReset() {
        lastLevels = 0;
        irr &= elcr;
        imr = 0;
        isr = 0;
        priorityAdd = 0;
        irqBase = 0;
        readIsr = false;
        poll = false;
        specialMask = false;
        initState = 0;
        needIcw4 = false;
        single = false;
        autoEoi = false;
        rotateOnAutoEoi = false;
        specialFullyNested = false;
    }

    /** Input {@code irq} (0-7) is at {@code level}: level-sensitive pins follow it, edge pins latch rising edges. */
    void setInput(int irq, boolean level) {
        int mask = 1 << irq;
        if ((elcr & mask) != 0) {
            if (level) {
                irr |= mask;
                lastLevels |= mask;
            } else {
                irr &= ~mask;
                lastLevels &= ~mask;
            }
        } else if (level) {
            if ((lastLevels & mask) == 0) {
                irr |= mask;
            }
            lastLevels |= mask;
        } else {
            lastLevels &= ~mask;
        }
    }

    /** Priority (0 highest) of the best bit in {@code mask} under the current rotation; 8 when none. */
    int priority(int mask) {
        if (mask == 0) {
            return 8;
        }
        int p = 0;
        while ((mask & (1 << ((p + priorityAdd) & 7))) == 0) {
            p++;
        }
        return p;
    }

    /** The IRQ this chip would raise now (0-7), or -1. */
    int pending() {
        int p = priority(irr & ~imr);
        if (p == 8) {
            return -1;
        }
        int inService = isr;
        if (specialMask) {
            inService &= ~imr;
        }
        if (specialFullyNested && master) {
            inService &= ~(1 << 2); // the slave may interrupt its own service (SFNM)
        }
        return p < priority(inService) ? (p + priorityAdd) & 7 : -1;
    }

    /** INTA for {@code irq}: into ISR (unless auto-EOI), and an edge request is consumed. */
    void acknowledge(int irq) {
        if (autoEoi) {
            if (rotateOnAutoEoi) {
                priorityAdd = (irq + 1) & 7;
            }
        } else {
            isr |= 1 << irq;
        }
        if ((elcr & (1 << irq)) == 0) {
            irr &= ~(1 << irq);
        }
    }

    /** Command port (0x20/0xa0) write: ICW1, OCW2 or OCW3. */
    void writeCommand(int value) {
        if ((value & 0x10) != 0) { // ICW1
            initReset();
            initState = 1;
            needIcw4 = (value & 1) != 0;
            single = (value & 2) != 0;
        } else if ((value & 0x08) != 0) { // OCW3
            if ((value & 0x04) != 0) {
                poll = true;
            }
            if ((value & 0x02) != 0) {
                readIsr = (value & 1) != 0;
            }
            if ((value & 0x40) != 0) {
                specialMask = (value & 0x20) != 0;
            }
        } else { // OCW2
            int cmd = value >>> 5;
            switch (cmd) {
                case 0 -> rotateOnAutoEoi = false;
                case 4 -> rotateOnAutoEoi = true;
                case 1, 5 -> { // non-specific EOI, rotate on non-specific EOI
                    int p = priority(isr);
                    if (p != 8) {
                        int irq = (p + priorityAdd) & 7;
                        isr &= ~(1 << irq);
                        if (cmd == 5) {
                            priorityAdd = (irq + 1) & 7;
                        }
                    }
                }
                case 3 -> isr &= ~(1 << (value & 7)); // specific EOI
                case 6 -> priorityAdd = (value + 1) & 7; // set priority
                case 7 -> { // rotate on specific EOI
                    int irq = value & 7;
                    isr &= ~(1 << irq);
                    priorityAdd = (irq + 1) & 7;
                }
                default -> { } // 2: no operation
            }
        }
    }

    /** Data port (0x21/0xa1) write: ICW2-4 during initialisation, else OCW1 (IMR). */
    void writeData(int value) {
        switch (initState) {
            case 1 -> { // ICW2: vector base
                irqBase = value & 0xf8;
                initState = single ? (needIcw4 ? 3 : 0) : 2;
            }
            case 2 -> initState = needIcw4 ? 3 : 0; // ICW3: cascade wiring, fixed here (IRQ2)
            case 3 -> { // ICW4
                specialFullyNested = (value & 0x10) != 0;
                autoEoi = (value & 0x02) != 0;
                initState = 0;
            }
            default -> imr = value & 0xff;
        }
    }

    int readCommand() {
        return readIsr ? isr : irr;
    }
}
