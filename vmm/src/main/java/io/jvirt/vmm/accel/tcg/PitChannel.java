package io.jvirt.vmm.accel.tcg;

/**
 * One 8254 counter (Intel 8254 data sheet 231164, "Modes"): a 16-bit down-counter at
 * {@link GuestClock#PIT_HZ}. The count is not stepped: it is computed from the time counting
 * started, so reads are exact at any moment however the vCPUs are scheduled. Modes 0 (interrupt
 * on terminal count), 1 (hardware one-shot), 2 (rate generator), 3 (square wave), 4 and 5
 * (software/hardware strobe); latch and read-back; LSB, MSB and LSB-then-MSB access. BCD
 * counting is accepted and counted in binary. Plain state: {@link Pit} holds the lock.
 */
final class PitChannel {

    static final int ACCESS_LATCH = 0;
    static final int ACCESS_LSB = 1;
    static final int ACCESS_MSB = 2;
    static final int ACCESS_WORD = 3;

    int mode;
    int access = ACCESS_WORD;
    boolean bcd;
    /** The count register (CR); 0 counts as 0x10000 in binary mode. */
    int reload;
    boolean gate;
    /** A count was written and the counter is running (or waiting for a gate trigger in modes 1/5). */
    boolean counting;
    boolean nullCount = true;
    /** Time the counter was (re)loaded; counts elapse from here. */
    long loadTime;
    /** Modes 0 and 4 pause while the gate is low: ticks counted before the pause. */
    boolean paused;
    long pausedTicks;

    private boolean writeMsbNext;
    private int writeLsb;
    private boolean readMsbNext;
    private boolean countLatched;
    private int latchedCount;
    private boolean latchedMsbNext;
    private boolean statusLatched;
    private int latchedStatus;

    PitChannel(boolean gate) {
        this.gate = gate;
    }

    void reset(boolean gateHigh) {
        mode = 0;
        access = ACCESS_WORD;
        bcd = false;
        reload = 0;
        gate = gateHigh;
        counting = false;
        nullCount = true;
        paused = false;
        pausedTicks = 0;
        writeMsbNext = false;
        readMsbNext = false;
        countLatched = false;
        statusLatched = false;
    }

    private long period() {
        return reload == 0 ? 0x10000 : reload;
    }

    /** PIT ticks counted since the load at {@code now}. */
    long elapsed(long now) {
        if (paused) {
            return pausedTicks;
        }
        return GuestClock.nanosToTicks(now - loadTime, GuestClock.PIT_HZ);
    }

    /** Control word with access != 0: a new mode; the counter stops until a count is written. */
    void program(int accessMode, int newMode, boolean bcdMode) {
        access = accessMode;
        mode = newMode > 5 ? newMode - 4 : newMode; // modes 6 and 7 are 2 and 3 (data sheet)
        bcd = bcdMode;
        counting = false;
        nullCount = true;
        paused = false;
        writeMsbNext = false;
        readMsbNext = false;
        countLatched = false;
    }

    /** Counter latch command: freezes the count for reading until it is read (ignored if latched). */
    void latchCount(long now) {
        if (!countLatched) {
            countLatched = true;
            latchedCount = count(now);
            latchedMsbNext = false;
        }
    }

    /** Read-back status latch (data sheet "Read-Back Command", status byte format). */
    void latchStatus(long now) {
        if (!statusLatched) {
            statusLatched = true;
            latchedStatus = (output(now) ? 0x80 : 0) | (nullCount ? 0x40 : 0) | (access << 4) | (mode << 1)
                    | (bcd ? 1 : 0);
        }
    }

    /** Data port read. */
    int read(long now) {
        if (statusLatched) {
            statusLatched = false;
            return latchedStatus;
        }
        int value;
        boolean msb;
        if (countLatched) {
            value = latchedCount;
            if (access == ACCESS_WORD) {
                msb = latchedMsbNext;
                latchedMsbNext = !latchedMsbNext;
                countLatched = !msb;
            } else {
                msb = access == ACCESS_MSB;
                countLatched = false;
            }
        } else {
            value = count(now);
            if (access == ACCESS_WORD) {
                msb = readMsbNext;
                readMsbNext = !readMsbNext;
            } else {
                msb = access == ACCESS_MSB;
            }
        }
        return msb ? (value >>> 8) & 0xff : value & 0xff;
    }

    /** Data port write; returns true when a complete count was loaded. */
    boolean write(int value, long now) {
        switch (access) {
            case ACCESS_LSB -> reload = value & 0xff;
            case ACCESS_MSB -> reload = (value & 0xff) << 8;
            default -> {
                if (!writeMsbNext) {
                    writeLsb = value & 0xff;
                    writeMsbNext = true;
                    return false;
                }
                writeMsbNext = false;
                reload = writeLsb | ((value & 0xff) << 8);
            }
        }
        load(now);
        return true;
    }

    private void load(long now) {
        counting = true;
        nullCount = false;
        loadTime = now;
        paused = gatePauses() && !gate;
        pausedTicks = 0;
    }

    private boolean gatePauses() {
        return mode == 0 || mode == 4 || mode == 2 || mode == 3;
    }

    /** Gate input change (channel 2: port 0x61 bit 0; channels 0 and 1 are tied high). */
    void setGate(boolean high, long now) {
        if (high == gate) {
            return;
        }
        gate = high;
        if (!counting) {
            return;
        }
        switch (mode) {
            case 0, 4 -> { // gate low suspends counting
                if (!high) {
                    pausedTicks = elapsed(now);
                    paused = true;
                } else if (paused) {
                    loadTime = now - GuestClock.ticksToNanos(pausedTicks, GuestClock.PIT_HZ);
                    paused = false;
                }
            }
            default -> { // modes 1, 2, 3, 5: a rising edge (re)starts from the count; 2/3 stop while low
                if (high) {
                    loadTime = now;
                    paused = false;
                } else if (mode == 2 || mode == 3) {
                    pausedTicks = 0;
                    paused = true;
                }
            }
        }
    }

    /** The counting element's value now. */
    int count(long now) {
        if (!counting) {
            return reload;
        }
        long d = elapsed(now);
        long p = period();
        return switch (mode) {
            case 2 -> (int) (p - d % p) & 0xffff;
            case 3 -> (int) (p - (2 * d) % p) & 0xfffe;
            default -> (int) ((p - d) & 0xffff); // 0, 1, 4, 5: wraps on through 0xffff
        };
    }

    /** The OUT pin now. */
    boolean output(long now) {
        if (!counting) {
            return mode != 0; // mode 0 drives OUT low from the control word on; the others high
        }
        if (paused && (mode == 2 || mode == 3)) {
            return true; // gate low forces OUT high in modes 2 and 3
        }
        long d = elapsed(now);
        long p = period();
        return switch (mode) {
            case 0 -> d >= p;
            case 1 -> d >= p;
            case 2 -> d % p != p - 1 || p == 1;
            case 3 -> d % p < (p + 1) / 2;
            default -> d != p; // 4, 5: one clock low at terminal count
        };
    }

    /**
     * The next time after {@code now} that OUT rises (IRQ0 is edge-triggered), or -1 when it
     * never will without new programming.
     */
    long nextRisingEdge(long now) {
        if (!counting || paused) {
            return -1;
        }
        long d = elapsed(now);
        long p = period();
        long edgeTick;
        switch (mode) {
            case 0, 1 -> {
                if (d >= p) {
                    return -1;
                }
                edgeTick = p;
            }
            case 2, 3 -> edgeTick = (d / p + 1) * p;
            default -> {
                if (d > p) {
                    return -1;
                }
                edgeTick = p + 1;
            }
        }
        // +1 ns: at that instant elapsed() has reached edgeTick (ticksToNanos rounds down).
        return loadTime + GuestClock.ticksToNanos(edgeTick, GuestClock.PIT_HZ) + 1;
    }

    /** True in the periodic modes, where the next edge follows the one just fired. */
    boolean periodic() {
        return mode == 2 || mode == 3;
    }
}
