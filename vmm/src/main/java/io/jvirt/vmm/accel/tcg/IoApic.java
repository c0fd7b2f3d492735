package io.jvirt.vmm.accel.tcg;

import io.jvirt.vmm.devices.BusDevice;
import java.util.ArrayList;
import java.util.List;

/**
 * The I/O APIC at 0xfec00000 (Intel 82093AA data sheet 290566): 24 input pins, IOREGSEL at
 * offset 0x00 and IOWIN at 0x10; registers ID (0x00), version (0x01), arbitration (0x02) and
 * the redirection table (0x10 + 2n low / + 1 high). Edge pins deliver on a rising edge (an
 * edge that arrives masked is remembered and delivered on unmask, as QEMU and KVM do); level
 * pins deliver while asserted, hold Remote IRR until the LAPIC broadcasts the EOI for that
 * vector, and deliver again if still asserted. Polarity is not applied: a line's {@code set(true)}
 * means asserted. Under KVM this is the kernel's IOAPIC (KVM_CREATE_IRQCHIP).
 *
 * <p>Thread-safe; messages go to the LAPICs after the lock is released.
 */
final class IoApic implements BusDevice {

    static final long BASE = 0xfec00000L;
    static final long SIZE = 0x1000;
    static final int PINS = 24;
    /** Version register: version 0x11 (82093AA), maximum redirection entry 23. */
    static final int VERSION = 0x11 | ((PINS - 1) << 16);

    static final int IOREGSEL = 0x00;
    static final int IOWIN = 0x10;

    // Redirection entry bits (data sheet §3.2.4).
    static final long DEST_LOGICAL = 1L << 11;
    static final long DELIVERY_STATUS = 1L << 12;
    static final long REMOTE_IRR = 1L << 14;
    static final long LEVEL = 1L << 15;
    static final long MASKED = 1L << 16;
    /** Bits the guest writes: vector, delivery mode, dest mode, polarity, trigger, mask, destination. */
    static final long WRITABLE = 0xff00_0000_0001_afffL;

    private final ApicBus bus;
    private final long[] redirection = new long[PINS];
    private int levels;
    /** Edge requests not yet delivered (masked at the time). */
    private int edgePending;
    private int id;
    private int select;

    IoApic(ApicBus bus) {
        this.bus = bus;
        reset();
    }

    synchronized void reset() {
        java.util.Arrays.fill(redirection, MASKED);
        levels = 0;
        edgePending = 0;
        id = 0;
        select = 0;
    }

    @Override
    public long read(long offset, int size) {
        synchronized (this) {
            if (offset == IOREGSEL) {
                return select;
            }
            if (offset == IOWIN) {
                return Integer.toUnsignedLong(readRegister(select));
            }
        }
        return 0;
    }

    private int readRegister(int reg) {
        return switch (reg) {
            case 0x00 -> id << 24;
            case 0x01 -> VERSION;
            case 0x02 -> id << 24; // arbitration ID
            default -> {
                int pin = (reg - 0x10) >> 1;
                if (reg < 0x10 || pin >= PINS) {
                    yield 0;
                }
                long e = redirection[pin];
                yield (reg & 1) == 0 ? (int) e : (int) (e >>> 32);
            }
        };
    }

    @Override
    public void write(long offset, int size, long value) {
        List<ApicBus.Message> out = new ArrayList<>(1);
        synchronized (this) {
            if (offset == IOREGSEL) {
                select = (int) value & 0xff;
                return;
            }
            if (offset != IOWIN) {
                return;
            }
            int reg = select;
            int v = (int) value;
            if (reg == 0x00) {
                id = (v >>> 24) & 0xf;
                return;
            }
            int pin = (reg - 0x10) >> 1;
            if (reg < 0x10 || pin >= PINS) {
                return;
            }
            long e = redirection[pin];
            long written = (reg & 1) == 0
                    ? (e & 0xffff_ffff_0000_0000L) | Integer.toUnsignedLong(v)
                    : (e & 0xffff_ffffL) | ((long) v << 32);
            long ro = e & (DELIVERY_STATUS | REMOTE_IRR);
            long updated = (written & WRITABLE) | ro;
            if ((updated & LEVEL) == 0) {
                updated &= ~REMOTE_IRR; // Remote IRR is undefined for edge pins: keep it clear
            }
            redirection[pin] = updated;
            service(pin, out);
        }
        deliver(out);
    }

    /** Input {@code pin}'s line is now {@code high}. */
    void setLevel(int pin, boolean high) {
        if (pin < 0 || pin >= PINS) {
            return;
        }
        List<ApicBus.Message> out = new ArrayList<>(1);
        synchronized (this) {
            int mask = 1 << pin;
            boolean was = (levels & mask) != 0;
            levels = high ? levels | mask : levels & ~mask;
            if ((redirection[pin] & LEVEL) == 0 && high && !was) {
                edgePending |= mask;
            }
            service(pin, out);
        }
        deliver(out);
    }

    /** A LAPIC's EOI for a level-triggered {@code vector}: clears Remote IRR, redelivers if still asserted. */
    void endOfInterrupt(int vector) {
        List<ApicBus.Message> out = new ArrayList<>(1);
        synchronized (this) {
            for (int pin = 0; pin < PINS; pin++) {
                long e = redirection[pin];
                if ((e & 0xff) == vector && (e & REMOTE_IRR) != 0) {
                    redirection[pin] = e & ~REMOTE_IRR;
                    service(pin, out);
                }
            }
        }
        deliver(out);
    }

    /** Under the lock: queues the message pin {@code pin} sends now, if any. */
    private void service(int pin, List<ApicBus.Message> out) {
        long e = redirection[pin];
        if ((e & MASKED) != 0) {
            return;
        }
        int mask = 1 << pin;
        boolean level = (e & LEVEL) != 0;
        if (level) {
            if ((levels & mask) == 0 || (e & REMOTE_IRR) != 0) {
                return;
            }
            redirection[pin] = e | REMOTE_IRR;
        } else {
            if ((edgePending & mask) == 0) {
                return;
            }
            edgePending &= ~mask;
        }
        out.add(ApicBus.Message.fromIoApic((int) e & 0xff, (int) (e >>> 8) & 7, (e & DEST_LOGICAL) != 0,
                (int) (e >>> 56), level));
    }

    private void deliver(List<ApicBus.Message> out) {
        for (ApicBus.Message m : out) {
            bus.send(null, m);
        }
    }

    /** Redirection entry of {@code pin} (tests, diagnostics). */
    synchronized long entry(int pin) {
        return redirection[pin];
    }
}
