package io.jvirt.vmm.devices;

import java.util.ArrayDeque;

/**
 * An 8042 keyboard controller with no keyboard or mouse behind it: enough for Linux's i8042
 * probe (self-test, CTR read/write, interface tests) to finish at once and for the reset line
 * (command 0xfe on port 0x64, "reboot=k") to reach {@link PowerControl#reset()}.
 * Command set per the IBM PC/AT Technical Reference and Linux drivers/input/serio/i8042.h.
 */
public final class I8042 implements BusDevice {

    public static final int DATA_PORT = 0x60;
    public static final int COMMAND_PORT = 0x64;
    /** Keyboard IRQ (ISA IRQ 1). */
    public static final int KBD_GSI = 1;

    // Status register bits (i8042.h).
    static final int STR_OBF = 0x01;
    static final int STR_SYSFLAG = 0x04;
    static final int STR_CMDDAT = 0x08;
    static final int STR_KEYLOCK = 0x10; // 1 = not inhibited
    static final int STR_AUXDATA = 0x20;

    // Controller command byte (CTR) bits.
    static final int CTR_KBDINT = 0x01;
    static final int CTR_AUXINT = 0x02;
    static final int CTR_SYSFLAG = 0x04;
    static final int CTR_KBDDIS = 0x10;
    static final int CTR_AUXDIS = 0x20;
    static final int CTR_XLATE = 0x40;

    // Controller commands (i8042.h, I8042_CMD_*).
    static final int CMD_CTL_RCTR = 0x20;
    static final int CMD_CTL_WCTR = 0x60;
    static final int CMD_AUX_DISABLE = 0xa7;
    static final int CMD_AUX_ENABLE = 0xa8;
    static final int CMD_AUX_TEST = 0xa9;
    static final int CMD_CTL_TEST = 0xaa;
    static final int CMD_KBD_TEST = 0xab;
    static final int CMD_KBD_DISABLE = 0xad;
    static final int CMD_KBD_ENABLE = 0xae;
    static final int CMD_READ_OUTPUT = 0xd0;
    static final int CMD_WRITE_OUTPUT = 0xd1;
    static final int CMD_KBD_LOOP = 0xd2;
    static final int CMD_AUX_LOOP = 0xd3;
    static final int CMD_AUX_SEND = 0xd4;
    static final int CMD_PULSE_RESET = 0xfe;
    static final int SELF_TEST_OK = 0x55;

    // Keyboard device commands and replies (PS/2 keyboard protocol).
    static final int KBD_ACK = 0xfa;
    static final int KBD_RESET = 0xff;
    static final int KBD_BAT_OK = 0xaa;
    static final int KBD_GET_ID = 0xf2;
    static final int KBD_ECHO = 0xee;
    /** The output port's bit 0 is the CPU reset line (active low). */
    static final int OUTPUT_RESET_LINE = 0x01;

    private final PowerControl power;
    private final IrqLine kbdIrq;
    private final ArrayDeque<Integer> output = new ArrayDeque<>();
    private int ctr;
    private int outputPort;
    private int pendingCommand;
    private boolean lastWasCommand;

    public I8042(PowerControl power, IrqLine kbdIrq) {
        this.power = power;
        this.kbdIrq = kbdIrq;
        reset();
    }

    /** Registers the data port 0x60 and the status/command port 0x64. */
    public void register(IoBus pio) {
        pio.register(DATA_PORT, 1, this);
        pio.register(COMMAND_PORT, 1, (BusDevice) new BusDevice() {
            @Override public long read(long offset, int size) { return I8042.this.readStatus(); }
            @Override public void write(long offset, int size, long value) { I8042.this.command((int) (value & 0xff)); }
        });
    }

    public synchronized void reset() {
        output.clear();
        ctr = CTR_KBDINT | CTR_SYSFLAG | CTR_XLATE;
        outputPort = OUTPUT_RESET_LINE | 0x02; // reset line inactive, A20 enabled
        pendingCommand = 0;
        lastWasCommand = false;
    }

    /** Port 0x60: read the output buffer (the offset is always 0 on this one-port window). */
    @Override
    public synchronized long read(long offset, int size) {
        Integer b = output.poll();
        return b == null ? 0 : b & 0xff;
    }

    /** Port 0x60: a parameter for the pending controller command, or a byte for the keyboard. */
    @Override
    public void write(long offset, int size, long value) {
        boolean reset = false;
        synchronized (this) {
            int v = (int) (value & 0xff);
            lastWasCommand = false;
            int cmd = pendingCommand;
            pendingCommand = 0;
            switch (cmd) {
                case CMD_CTL_WCTR -> ctr = v;
                case CMD_WRITE_OUTPUT -> {
                    outputPort = v;
                    reset = (v & OUTPUT_RESET_LINE) == 0;
                }
                case CMD_KBD_LOOP -> reply(v);
                case CMD_AUX_LOOP, CMD_AUX_SEND -> {
                    // No mouse: nothing answers on the aux port, like an empty PS/2 socket.
                }
                default -> keyboardCommand(v);
            }
        }
        if (reset) {
            power.reset();
        }
    }

    synchronized int readStatus() {
        int s = STR_KEYLOCK | (ctr & CTR_SYSFLAG);
        if (!output.isEmpty()) {
            s |= STR_OBF;
        }
        if (lastWasCommand) {
            s |= STR_CMDDAT;
        }
        return s;
    }

    void command(int cmd) {
        boolean reset = false;
        synchronized (this) {
            lastWasCommand = true;
            pendingCommand = 0; // a new command abandons one still waiting for its parameter
            switch (cmd) {
                case CMD_CTL_RCTR -> reply(ctr);
                case CMD_CTL_WCTR, CMD_WRITE_OUTPUT, CMD_KBD_LOOP, CMD_AUX_LOOP, CMD_AUX_SEND -> pendingCommand = cmd;
                case CMD_AUX_DISABLE -> ctr |= CTR_AUXDIS;
                case CMD_AUX_ENABLE -> ctr &= ~CTR_AUXDIS;
                case CMD_AUX_TEST, CMD_KBD_TEST -> reply(0x00); // 0 = interface OK
                case CMD_CTL_TEST -> reply(SELF_TEST_OK);
                case CMD_KBD_DISABLE -> ctr |= CTR_KBDDIS;
                case CMD_KBD_ENABLE -> ctr &= ~CTR_KBDDIS;
                case CMD_READ_OUTPUT -> reply(outputPort);
                default -> {
                    // 0xf0–0xff pulse output-port lines low for 6 us; bit 0 low pulses CPU reset.
                    if (cmd >= 0xf0 && (cmd & OUTPUT_RESET_LINE) == 0) {
                        reset = true;
                    }
                }
            }
        }
        if (reset) {
            power.reset();
        }
    }

    private void keyboardCommand(int v) {
        switch (v) {
            case KBD_RESET -> {
                reply(KBD_ACK);
                reply(KBD_BAT_OK);
            }
            case KBD_GET_ID -> {
                reply(KBD_ACK);
                reply(0xab);
                reply(0x83); // MF2 keyboard
            }
            case KBD_ECHO -> reply(KBD_ECHO);
            default -> reply(KBD_ACK);
        }
        if ((ctr & CTR_KBDINT) != 0) {
            kbdIrq.pulse();
        }
    }

    private void reply(int b) {
        if (output.size() < 16) {
            output.add(b);
        }
    }
}
