package io.jvirt.vmm.accel.tcg;

import io.jvirt.vmm.devices.BusDevice;
import io.jvirt.vmm.devices.IoBus;

/**
 * The PC/AT 8259A pair: master at ports 0x20-0x21, slave at 0xa0-0xa1 cascaded on master
 * IRQ2, and the ELCR at 0x4d0-0x4d1 (edge/level per IRQ). Its INTR output goes to LINT0 of the
 * local APICs (ExtINT, virtual wire); the CPU takes the vector through {@link #acknowledge()}.
 * Under KVM this is the kernel's i8259 (KVM_CREATE_IRQCHIP).
 *
 * <p>Thread-safe: inputs come from any device thread, the INTA cycle from a vCPU thread. The
 * output listener runs after the lock is released.
 */
final class Pic {

    static final int MASTER_PORT = 0x20;
    static final int SLAVE_PORT = 0xa0;
    static final int ELCR_PORT = 0x4d0;
    /** Master input the slave's INTR is wired to (PC/AT). */
    static final int CASCADE_IRQ = 2;

    private final PicChip masterChip = new PicChip(true);
    private final PicChip slaveChip = new PicChip(false);

    Pic() {
        reset();
    }
    private volatile boolean output;
    private volatile Runnable listener = () -> { };

    /** Called (outside the lock) whenever INTR may have changed. */
    void onChange(Runnable r) {
        listener = r;
    }

    void register(IoBus pio) {
        pio.register(MASTER_PORT, 2, port(masterChip));
        pio.register(SLAVE_PORT, 2, port(slaveChip));
        pio.register(ELCR_PORT, 2, new BusDevice() {
            @Override
            public long read(long offset, int size) {
                synchronized (Pic.this) {
                    return offset == 0 ? masterChip.elcr : slaveChip.elcr;
                }
            }

            @Override
            public void write(long offset, int size, long value) {
                synchronized (Pic.this) {
                    PicChip c = offset == 0 ? masterChip : slaveChip;
                    c.elcr = (int) value & c.elcrMask;
                    update();
                }
                listener.run();
            }
        });
    }

    private BusDevice port(PicChip chip) {
        return new BusDevice() {
            @Override
            public long read(long offset, int size) {
                long v;
                synchronized (Pic.this) {
                    if (chip.poll) {
                        v = pollRead(chip);
                    } else {
                        v = offset == 0 ? chip.readCommand() : chip.imr;
                    }
                    update();
                }
                listener.run();
                return v;
            }

            @Override
            public void write(long offset, int size, long value) {
                synchronized (Pic.this) {
                    if (offset == 0) {
                        chip.writeCommand((int) value & 0xff);
                    } else {
                        chip.writeData((int) value & 0xff);
                    }
                    update();
                }
                listener.run();
            }
        };
    }

    /** Poll mode read (OCW3 P=1): acknowledges like INTA and returns 0x80 | irq, or 0. */
    private int pollRead(PicChip chip) {
        chip.poll = false;
        int irq = chip.pending();
        if (irq < 0) {
            return 0;
        }
        chip.acknowledge(irq);
        return 0x80 | irq;
    }

    /**
     * Machine reset: the state PC firmware leaves (SeaBIOS pic_setup: vector bases 0x08 and
     * 0x70, every IRQ masked but the cascade), since direct kernel boot has no firmware and a
     * power-on 8259 would answer vector 0 + IRQ for the first timer tick.
     */
    void reset() {
        synchronized (this) {
            masterChip.reset();
            slaveChip.reset();
            masterChip.irqBase = 0x08;
            slaveChip.irqBase = 0x70;
            masterChip.imr = 0xff & ~(1 << CASCADE_IRQ);
            slaveChip.imr = 0xff;
            update();
        }
        listener.run();
    }

    /** ISA IRQ {@code irq} (0-15) input level. */
    void setIrq(int irq, boolean level) {
        synchronized (this) {
            if (irq < 8) {
                masterChip.setInput(irq, level);
            } else {
                slaveChip.setInput(irq - 8, level);
            }
            update();
        }
        listener.run();
    }

    /** The INTR line to the CPU(s). */
    boolean output() {
        return output;
    }

    /**
     * The INTA cycle: the vector of the highest pending request, which moves into service.
     * With nothing pending it answers the spurious IRQ7 (or IRQ15 from the slave) without
     * setting ISR, as the 8259A does.
     */
    int acknowledge() {
        int vector;
        synchronized (this) {
            int irq = masterChip.pending();
            if (irq < 0) {
                vector = masterChip.irqBase + 7;
            } else {
                masterChip.acknowledge(irq);
                if (irq == CASCADE_IRQ) {
                    int irq2 = slaveChip.pending();
                    if (irq2 >= 0) {
                        slaveChip.acknowledge(irq2);
                        vector = slaveChip.irqBase + irq2;
                    } else {
                        vector = slaveChip.irqBase + 7;
                    }
                } else {
                    vector = masterChip.irqBase + irq;
                }
            }
            update();
        }
        listener.run();
        return vector;
    }

    /** Recomputes the cascade and the INTR output; under the lock. */
    private void update() {
        // The slave's INTR holds master IR2 while a request is pending: level-like, so a
        // request the slave still has after an INTA is not lost to edge detection.
        if (slaveChip.pending() >= 0) {
            masterChip.irr |= 1 << CASCADE_IRQ;
        } else {
            masterChip.irr &= ~(1 << CASCADE_IRQ);
        }
        output = masterChip.pending() >= 0;
    }

    /** For tests: ISR/IRR/IMR of both chips. */
    synchronized String describe() {
        return String.format("master irr=%02x isr=%02x imr=%02x base=%02x slave irr=%02x isr=%02x imr=%02x base=%02x",
                masterChip.irr, masterChip.isr, masterChip.imr, masterChip.irqBase,
                slaveChip.irr, slaveChip.isr, slaveChip.imr, slaveChip.irqBase);
    }
}
