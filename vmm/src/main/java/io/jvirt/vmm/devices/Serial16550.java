package io.jvirt.vmm.devices;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;

/**
 * A 16550A UART (TI/National PC16550D data sheet; register map as in Linux
 * include/uapi/linux/serial_reg.h). Transmission is instantaneous: a byte written to THR goes
 * straight to the output and THR is empty again at once. Received bytes come from
 * {@link #receive(byte)} (the console input thread) into a 16-byte FIFO. The interrupt output
 * drives its {@link IrqLine} high while an enabled condition is pending, like QEMU's serial.
 *
 * <p>Register reads and writes never throw; every method is safe from any thread.
 */
public final class Serial16550 implements BusDevice, ConsoleInput {

    /** COM1 base port and its ISA IRQ (LAYOUT.md; GSI 4). */
    public static final int COM1_PORT = 0x3f8;
    public static final int COM1_GSI = 4;
    public static final int PORTS = 8;

    // Register offsets (serial_reg.h).
    static final int RBR_THR_DLL = 0;
    static final int IER_DLM = 1;
    static final int IIR_FCR = 2;
    static final int LCR = 3;
    static final int MCR = 4;
    static final int LSR = 5;
    static final int MSR = 6;
    static final int SCR = 7;

    static final int IER_RDI = 0x01;   // received data available
    static final int IER_THRI = 0x02;  // transmitter holding register empty
    static final int IER_RLSI = 0x04;  // receiver line status
    static final int IER_MSI = 0x08;   // modem status
    static final int IIR_NO_INT = 0x01;
    static final int IIR_MSI = 0x00;
    static final int IIR_THRI = 0x02;
    static final int IIR_RDI = 0x04;
    static final int IIR_RLSI = 0x06;
    static final int IIR_TIMEOUT = 0x0c;
    static final int IIR_FIFO_ENABLED = 0xc0;
    static final int FCR_ENABLE = 0x01;
    static final int FCR_CLEAR_RCVR = 0x02;
    static final int FCR_CLEAR_XMIT = 0x04;
    static final int LCR_DLAB = 0x80;
    static final int MCR_DTR = 0x01;
    static final int MCR_RTS = 0x02;
    static final int MCR_OUT1 = 0x04;
    static final int MCR_OUT2 = 0x08;
    static final int MCR_LOOP = 0x10;
    static final int LSR_DR = 0x01;
    static final int LSR_OE = 0x02;
    static final int LSR_BI = 0x10;
    static final int LSR_THRE = 0x20;
    static final int LSR_TEMT = 0x40;
    static final int MSR_DCTS = 0x01;
    static final int MSR_DDSR = 0x02;
    static final int MSR_TERI = 0x04;
    static final int MSR_DDCD = 0x08;
    static final int MSR_CTS = 0x10;
    static final int MSR_DSR = 0x20;
    static final int MSR_RI = 0x40;
    static final int MSR_DCD = 0x80;
    static final int FIFO_SIZE = 16;
    /** Receive trigger levels for FCR bits 7:6 (data sheet, FCR). */
    private static final int[] TRIGGER = {1, 4, 8, 14};

    private static final System.Logger LOG = System.getLogger(Serial16550.class.getName());

    private final IrqLine irq;
    private final OutputStream out;

    private final byte[] fifo = new byte[FIFO_SIZE];
    private int head;
    private int count;
    private int ier;
    private int lcr;
    private int mcr;
    private int lsrErrors;
    private int msr;
    private int scr;
    private int dll = 0x0c; // 9600 baud at 1.8432 MHz, the power-on divisor
    private int dlm;
    private boolean fifoEnabled;
    private int triggerLevel = 1;
    private boolean thrInterrupt;
    private boolean irqLevel;
    private boolean outputBroken;

    /** A UART writing transmitted bytes to {@code out} and interrupting on {@code irq}. */
    public Serial16550(IrqLine irq, OutputStream out) {
        this.irq = irq;
        this.out = out;
        reset();
    }

    /** Registers the UART at COM1 (0x3f8–0x3ff). */
    public void registerCom1(IoBus pio) {
        pio.register(COM1_PORT, PORTS, this);
    }

    /** Power-on state (data sheet, "Reset" table); the FIFO is emptied. */
    public synchronized void reset() {
        head = 0;
        count = 0;
        ier = 0;
        lcr = 0;
        mcr = 0;
        lsrErrors = 0;
        scr = 0;
        fifoEnabled = false;
        triggerLevel = 1;
        thrInterrupt = false;
        msr = externalModemStatus();
        updateIrq();
    }

    /**
     * Offers one received byte from the outside (the console). Returns false when the receive
     * FIFO is full; the caller retries later (the console applies back-pressure, no byte is lost).
     * In loopback mode the outside line is disconnected and the byte is dropped.
     */
    @Override
    public synchronized boolean receive(byte b) {
        if ((mcr & MCR_LOOP) != 0) {
            return true;
        }
        if (count == capacity()) {
            return false;
        }
        push(b);
        updateIrq();
        return true;
    }

    /** True when the receive FIFO has room for another byte. */
    public synchronized boolean canReceive() {
        return (mcr & MCR_LOOP) == 0 && count < capacity();
    }

    private int capacity() {
        return fifoEnabled ? FIFO_SIZE : 1;
    }

    private void push(byte b) {
        if (count == capacity()) {
            lsrErrors |= LSR_OE; // the new byte is lost (data sheet: overrun)
            return;
        }
        fifo[(head + count) % FIFO_SIZE] = b;
        count++;
    }

    @Override
    public synchronized long read(long offset, int size) {
        long v = switch ((int) offset) {
            case RBR_THR_DLL -> (lcr & LCR_DLAB) != 0 ? dll : readRbr();
            case IER_DLM -> (lcr & LCR_DLAB) != 0 ? dlm : ier;
            case IIR_FCR -> readIir();
            case LCR -> lcr;
            case MCR -> mcr;
            case LSR -> readLsr();
            case MSR -> readMsr();
            case SCR -> scr;
            default -> 0xff;
        };
        return v;
    }

    @Override
    public synchronized void write(long offset, int size, long value) {
        int v = (int) (value & 0xff);
        switch ((int) offset) {
            case RBR_THR_DLL -> {
                if ((lcr & LCR_DLAB) != 0) {
                    dll = v;
                } else {
                    transmit((byte) v);
                }
            }
            case IER_DLM -> {
                if ((lcr & LCR_DLAB) != 0) {
                    dlm = v;
                } else {
                    int old = ier;
                    ier = v & 0x0f;
                    // Enabling ETBEI while THR is empty raises the THRE interrupt (data sheet, IIR).
                    if ((ier & IER_THRI) != 0 && (old & IER_THRI) == 0) {
                        thrInterrupt = true;
                    }
                    updateIrq();
                }
            }
            case IIR_FCR -> writeFcr(v);
            case LCR -> lcr = v;
            case MCR -> writeMcr(v & 0x1f);
            case SCR -> scr = v;
            default -> {
                // LSR and MSR writes are factory-test only; ignored.
            }
        }
    }

    private int readRbr() {
        if (count == 0) {
            return 0;
        }
        int b = fifo[head] & 0xff;
        head = (head + 1) % FIFO_SIZE;
        count--;
        updateIrq();
        return b;
    }

    private int readIir() {
        int id = pendingInterrupt();
        if (id == IIR_THRI) {
            thrInterrupt = false; // reading IIR with THRE as the source clears it
            updateIrq();
        }
        return id | (fifoEnabled ? IIR_FIFO_ENABLED : 0);
    }

    private int readLsr() {
        int v = LSR_THRE | LSR_TEMT | lsrErrors | (count > 0 ? LSR_DR : 0);
        lsrErrors = 0;
        updateIrq();
        return v;
    }

    private int readMsr() {
        int v = msr;
        msr &= 0xf0; // reading clears the delta bits
        updateIrq();
        return v;
    }

    private void writeFcr(int v) {
        boolean enable = (v & FCR_ENABLE) != 0;
        if (enable != fifoEnabled) {
            head = 0;
            count = 0;
        }
        fifoEnabled = enable;
        if ((v & FCR_CLEAR_RCVR) != 0) {
            head = 0;
            count = 0;
        }
        triggerLevel = TRIGGER[(v >> 6) & 3];
        updateIrq();
    }

    private void writeMcr(int v) {
        int old = mcr;
        mcr = v;
        if (((old ^ v) & MCR_LOOP) != 0 || (v & MCR_LOOP) != 0) {
            setModemStatus((v & MCR_LOOP) != 0 ? loopbackModemStatus(v) : externalModemStatus());
        }
        updateIrq();
    }

    /** Loopback (data sheet, MCR bit 4): RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD. */
    private static int loopbackModemStatus(int mcr) {
        return ((mcr & MCR_RTS) != 0 ? MSR_CTS : 0) | ((mcr & MCR_DTR) != 0 ? MSR_DSR : 0)
                | ((mcr & MCR_OUT1) != 0 ? MSR_RI : 0) | ((mcr & MCR_OUT2) != 0 ? MSR_DCD : 0);
    }

    /** A connected console: carrier, data set ready and clear to send all asserted. */
    private static int externalModemStatus() {
        return MSR_DCD | MSR_DSR | MSR_CTS;
    }

    private void setModemStatus(int lines) {
        int old = msr & 0xf0;
        int delta = msr & 0x0f;
        int changed = old ^ lines;
        if ((changed & MSR_CTS) != 0) {
            delta |= MSR_DCTS;
        }
        if ((changed & MSR_DSR) != 0) {
            delta |= MSR_DDSR;
        }
        if ((changed & MSR_DCD) != 0) {
            delta |= MSR_DDCD;
        }
        if ((old & MSR_RI) != 0 && (lines & MSR_RI) == 0) {
            delta |= MSR_TERI; // trailing edge of RI
        }
        msr = lines | delta;
    }

    private void transmit(byte b) {
        if ((mcr & MCR_LOOP) != 0) {
            push(b);
        } else if (!outputBroken) {
            try {
                out.write(b);
                out.flush(); // interactive: a prompt without a newline must show at once
            } catch (IOException e) {
                outputBroken = true; // the console went away; the guest keeps running
                LOG.log(Level.WARNING, "serial output failed, dropping further output: {0}", e.getMessage());
            }
        }
        thrInterrupt = true;
        updateIrq();
    }

    /** Flushes the output stream (the machine calls this when the guest idles or stops). */
    public synchronized void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            outputBroken = true;
        }
    }

    /** The highest-priority pending interrupt identification (data sheet, IIR table). */
    private int pendingInterrupt() {
        if ((ier & IER_RLSI) != 0 && (lsrErrors & (LSR_OE | 0x0e | LSR_BI)) != 0) {
            return IIR_RLSI;
        }
        if ((ier & IER_RDI) != 0 && count > 0) {
            return !fifoEnabled || count >= triggerLevel ? IIR_RDI : IIR_TIMEOUT;
        }
        if ((ier & IER_THRI) != 0 && thrInterrupt) {
            return IIR_THRI;
        }
        if ((ier & IER_MSI) != 0 && (msr & 0x0f) != 0) {
            return IIR_MSI;
        }
        return IIR_NO_INT;
    }

    private void updateIrq() {
        boolean level = pendingInterrupt() != IIR_NO_INT;
        if (level != irqLevel) {
            irqLevel = level;
            irq.set(level);
        }
    }
}
