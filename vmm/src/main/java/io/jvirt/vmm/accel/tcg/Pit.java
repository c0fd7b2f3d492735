package io.jvirt.vmm.accel.tcg;

import io.jvirt.vmm.devices.BusDevice;
import io.jvirt.vmm.devices.IoBus;
import io.jvirt.vmm.devices.IrqLine;

/**
 * The 8254 programmable interval timer at ports 0x40-0x43 (channel 0 = system timer on ISA
 * IRQ0, channel 1 = DRAM refresh, channel 2 = speaker, gated by port 0x61) and the PC/AT
 * "NMI status and control" port 0x61 (bit 0 = channel 2 gate, bit 1 = speaker data enable,
 * bit 4 = refresh toggle, bit 5 = channel 2 OUT). Linux calibrates the TSC against channel 2
 * through port 0x61 when it knows no TSC frequency (arch/x86/kernel/tsc.c pit_calibrate_tsc,
 * quick_pit_calibrate). Under KVM this is the kernel's PIT (KVM_CREATE_PIT2).
 *
 * <p>Thread-safe. Channel 0's rising OUT edges are scheduled on {@link PlatformTimers} and
 * pulse IRQ0 outside the lock.
 */
final class Pit {

    static final int BASE_PORT = 0x40;
    static final int CONTROL = 3;
    static final int PORT_61 = 0x61;
    /** Refresh request toggle period of port 0x61 bit 4 on PC/AT: about 15 µs (15.085 µs). */
    static final long REFRESH_TOGGLE_NANOS = 15_085;
    /** Fastest channel 0 interrupt rate we generate (a guest may program count 1 = 1.19 MHz). */
    static final long MIN_IRQ_PERIOD_NANOS = 50_000;

    private final PitChannel[] channels = {new PitChannel(true), new PitChannel(true), new PitChannel(false)};
    private final PlatformTimers timers;
    private final IrqLine irq0;
    private boolean speaker;
    private int port61Extra;
    private long seq;
    private long lastIrqTime;
    private PlatformTimers.Handle pending;

    Pit(PlatformTimers timers, IrqLine irq0) {
        this.timers = timers;
        this.irq0 = irq0;
    }

    void register(IoBus pio) {
        pio.register(BASE_PORT, 4, new BusDevice() {
            @Override
            public long read(long offset, int size) {
                return readPort((int) offset);
            }

            @Override
            public void write(long offset, int size, long value) {
                writePort((int) offset, (int) value & 0xff);
            }
        });
        pio.register(PORT_61, 1, new BusDevice() {
            @Override
            public long read(long offset, int size) {
                return readPort61();
            }

            @Override
            public void write(long offset, int size, long value) {
                writePort61((int) value & 0xff);
            }
        });
    }

    synchronized void reset() {
        for (int i = 0; i < 3; i++) {
            channels[i].reset(i != 2);
        }
        speaker = false;
        port61Extra = 0;
        reschedule(GuestClock.nanos());
    }

    synchronized int readPort(int offset) {
        if (offset == CONTROL) {
            return 0xff; // the control word register is write-only
        }
        return channels[offset].read(GuestClock.nanos());
    }

    synchronized void writePort(int offset, int value) {
        long now = GuestClock.nanos();
        if (offset != CONTROL) {
            if (channels[offset].write(value, now) && offset == 0) {
                reschedule(now);
            }
            return;
        }
        int select = value >>> 6;
        if (select == 3) { // read-back: bit 5 = !COUNT, bit 4 = !STATUS, bits 3:1 = counters 2..0
            for (int i = 0; i < 3; i++) {
                if ((value & (2 << i)) != 0) {
                    if ((value & 0x10) == 0) {
                        channels[i].latchStatus(now);
                    }
                    if ((value & 0x20) == 0) {
                        channels[i].latchCount(now);
                    }
                }
            }
            return;
        }
        int access = (value >>> 4) & 3;
        if (access == PitChannel.ACCESS_LATCH) {
            channels[select].latchCount(now);
            return;
        }
        channels[select].program(access, (value >>> 1) & 7, (value & 1) != 0);
        if (select == 0) {
            reschedule(now);
        }
    }

    synchronized int readPort61() {
        long now = GuestClock.nanos();
        PitChannel c2 = channels[2];
        return (c2.gate ? 1 : 0) | (speaker ? 2 : 0) | port61Extra
                | (int) ((now / REFRESH_TOGGLE_NANOS) & 1) << 4
                | (c2.output(now) ? 0x20 : 0);
    }

    synchronized void writePort61(int value) {
        channels[2].setGate((value & 1) != 0, GuestClock.nanos());
        speaker = (value & 2) != 0;
        port61Extra = value & 0x0c; // parity/IOCHK check enables: stored, no NMIs are raised
    }

    /** Channel {@code n}'s OUT pin now (tests, diagnostics). */
    synchronized boolean output(int n) {
        return channels[n].output(GuestClock.nanos());
    }

    /** Under the lock: arms the timer for channel 0's next rising OUT edge. */
    private void reschedule(long now) {
        seq++;
        if (pending != null) {
            pending.cancel();
            pending = null;
        }
        long edge = channels[0].nextRisingEdge(now);
        if (edge < 0) {
            return;
        }
        if (channels[0].periodic()) {
            edge = Math.max(edge, lastIrqTime + MIN_IRQ_PERIOD_NANOS);
        }
        long mine = seq;
        pending = timers.at(edge, () -> fire(mine));
    }

    private void fire(long firing) {
        synchronized (this) {
            if (firing != seq) {
                return;
            }
            long now = GuestClock.nanos();
            lastIrqTime = now;
            pending = null;
            reschedule(now);
        }
        irq0.pulse();
    }
}
