package io.jvirt.vmm.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Serial16550Test {

    private final RecordingIrq irq = new RecordingIrq();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final IoBus pio = IoBus.create("pio");
    private final Serial16550 uart = new Serial16550(irq, out);

    Serial16550Test() {
        uart.registerCom1(pio);
    }

    private int in(int reg) {
        return (int) pio.read(0x3f8 + reg, 1);
    }

    private void out(int reg, int v) {
        pio.write(0x3f8 + reg, 1, v);
    }

    @Test
    void transmitsToTheOutputAndStaysEmpty() {
        for (byte b : "hi\n".getBytes(StandardCharsets.US_ASCII)) {
            out(0, b);
        }
        assertEquals("hi\n", out.toString(StandardCharsets.US_ASCII));
        assertEquals(0x60, in(5) & 0x60, "THRE and TEMT after each byte");
    }

    @Test
    void divisorLatchSharesOffsetsZeroAndOne() {
        out(3, 0x83); // DLAB, 8N1
        out(0, 0x01);
        out(1, 0x00);
        assertEquals(0x01, in(0));
        assertEquals(0x83, in(3));
        out(3, 0x03);
        out(0, 'x'); // THR again, not DLL
        assertEquals("x", out.toString(StandardCharsets.US_ASCII));
        out(3, 0x83);
        assertEquals(0x01, in(0), "DLL unchanged by the THR write");
    }

    @Test
    void scratchRegisterHoldsAnyByte() {
        out(7, 0xa5);
        assertEquals(0xa5, in(7));
        out(7, 0x5a);
        assertEquals(0x5a, in(7));
    }

    @Test
    void loopbackPassesLinuxAutoconfigChecks() {
        // drivers/tty/serial/8250/8250_port.c autoconfig: MCR = LOOP|OUT2|RTS, MSR & 0xf0 == 0x90.
        out(4, 0x10 | 0x0a);
        assertEquals(0x90, in(6) & 0xf0);
        out(4, 0x10 | 0x05); // LOOP|OUT1|DTR -> RI|DSR
        assertEquals(0x60, in(6) & 0xf0);
        // Transmitted bytes come back on the receive side and do not leave the UART.
        out(0, 'Q');
        assertEquals(1, in(5) & 1, "data ready");
        assertEquals('Q', in(0));
        assertEquals(0, in(5) & 1);
        assertEquals(0, out.size());
        assertTrue(uart.receive((byte) 'z'), "outside input is accepted and dropped while looped back");
        assertEquals(0, in(5) & 1);
        out(4, 0x00);
        assertEquals(0xb0, in(6) & 0xf0, "a connected console: DCD, DSR, CTS");
    }

    @Test
    void modemStatusDeltasAreClearedByReading() {
        out(4, 0x10); // loopback, all outputs off
        in(6);
        out(4, 0x10 | 0x02); // RTS -> CTS rises
        int msr = in(6);
        assertEquals(0x10 | 0x01, msr & 0x11, "CTS and DCTS");
        assertEquals(0, in(6) & 0x0f, "deltas cleared");
        out(1, 0x08); // EDSSI
        out(4, 0x10 | 0x03); // DTR -> DSR rises
        assertTrue(irq.level, "modem status interrupt");
        assertEquals(0x00, in(2) & 0x0f, "IIR: modem status");
        in(6);
        assertFalse(irq.level);
    }

    @Test
    void fifoBitsInIirFollowFcr() {
        assertEquals(0x01, in(2), "no FIFO, no interrupt");
        out(2, 0x01);
        assertEquals(0xc1, in(2), "16550A: both FIFO-enabled bits");
        out(2, 0x00);
        assertEquals(0x01, in(2));
    }

    @Test
    void thrEmptyInterruptRaisedOnEnableAndClearedByIirRead() {
        out(1, 0x02); // ETBEI with THR empty
        assertTrue(irq.level);
        assertEquals(0x02, in(2) & 0x0f);
        assertFalse(irq.level, "reading IIR with THRE as source clears it");
        assertEquals(0x01, in(2) & 0x0f);
        out(0, 'a');
        assertTrue(irq.level, "THR empties again after the byte is sent");
        out(1, 0x00);
        assertFalse(irq.level);
    }

    @Test
    void receiveFifoRaisesDataInterruptAtTheTriggerLevel() {
        out(2, 0x01 | 0x40); // FIFO on, trigger 4
        out(1, 0x01);        // ERBFI
        assertFalse(irq.level);
        uart.receive((byte) '1');
        assertTrue(irq.level, "below the trigger: character timeout");
        assertEquals(0xcc, in(2));
        uart.receive((byte) '2');
        uart.receive((byte) '3');
        uart.receive((byte) '4');
        assertEquals(0xc4, in(2), "at the trigger: received data available");
        StringBuilder got = new StringBuilder();
        while ((in(5) & 1) != 0) {
            got.append((char) in(0));
        }
        assertEquals("1234", got.toString());
        assertFalse(irq.level);
        assertEquals(0xc1, in(2));
    }

    @Test
    void fullFifoRefusesInputAndFcrClearsIt() {
        out(2, 0x01);
        for (int i = 0; i < 16; i++) {
            assertTrue(uart.receive((byte) i));
        }
        assertFalse(uart.canReceive());
        assertFalse(uart.receive((byte) 99), "back-pressure instead of overrun");
        out(2, 0x01 | 0x02); // clear receive FIFO
        assertEquals(0, in(5) & 1);
        assertTrue(uart.canReceive());
    }

    @Test
    void withoutFifoOneByteHolds() {
        assertTrue(uart.receive((byte) 'a'));
        assertFalse(uart.receive((byte) 'b'));
        assertEquals('a', in(0));
        assertEquals(0, in(0), "empty RBR reads 0");
    }

    @Test
    void overrunInLoopbackSetsLsrAndLineStatusInterrupt() {
        out(1, 0x04); // ELSI
        out(4, 0x10);
        out(0, 'a');
        out(0, 'b'); // no FIFO: the second byte overruns
        assertTrue(irq.level);
        assertEquals(0x06, in(2) & 0x0f);
        int lsr = in(5);
        assertEquals(0x02, lsr & 0x02, "OE");
        assertEquals(0, in(5) & 0x02, "OE cleared by reading LSR");
        assertFalse(irq.level);
    }

    @Test
    void hostileAccessesNeverThrow() {
        Random r = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            int reg = r.nextInt(8);
            int size = 1 << r.nextInt(3);
            if (r.nextBoolean()) {
                pio.read(0x3f8 + reg, size);
            } else {
                pio.write(0x3f8 + reg, size, r.nextLong());
            }
            if (r.nextInt(10) == 0) {
                uart.receive((byte) r.nextInt());
            }
        }
        uart.reset();
        assertFalse(irq.level, "reset clears every interrupt");
    }
}
