package io.jvirt.vmm.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class I8042Test {

    private final AtomicInteger resets = new AtomicInteger();
    private final AtomicInteger powerOffs = new AtomicInteger();
    private final IoBus pio = IoBus.create("pio");
    private final RecordingIrq irq = new RecordingIrq();

    I8042Test() {
        new I8042(new PowerControl() {
            @Override public void powerOff() { powerOffs.incrementAndGet(); }
            @Override public void reset() { resets.incrementAndGet(); }
        }, irq).register(pio);
    }

    private int status() {
        return (int) pio.read(0x64, 1);
    }

    private int data() {
        return (int) pio.read(0x60, 1);
    }

    @Test
    void linuxProbeSequenceAnswers() {
        assertEquals(0, status() & 1, "output buffer empty at start");
        pio.write(0x64, 1, 0xaa); // I8042_CMD_CTL_TEST
        assertEquals(1, status() & 1);
        assertEquals(0x55, data());
        pio.write(0x64, 1, 0x20); // read CTR
        int ctr = data();
        assertEquals(0x45, ctr, "KBDINT|SYS|XLATE");
        pio.write(0x64, 1, 0x60); // write CTR
        pio.write(0x60, 1, ctr & ~1);
        pio.write(0x64, 1, 0x20);
        assertEquals(0x44, data());
        pio.write(0x64, 1, 0xab);
        assertEquals(0x00, data(), "keyboard interface test passes");
        assertEquals(0, status() & 1);
    }

    @Test
    void keyboardResetAnswersAckAndSelfTestPassed() {
        pio.write(0x60, 1, 0xff);
        assertEquals(0xfa, data());
        assertEquals(0xaa, data());
        assertEquals(0, status() & 1);
        assertEquals(2, irq.changes.size(), "one IRQ 1 pulse (high, low)");
    }

    @Test
    void commandFeResetsTheMachine() {
        pio.write(0x64, 1, 0xfe);
        assertEquals(1, resets.get());
        pio.write(0x64, 1, 0xff); // pulses no line
        assertEquals(1, resets.get());
    }

    @Test
    void hostileAccessesNeverThrowAndOnlyResetCommandsReset() {
        java.util.Random r = new java.util.Random(8042);
        int expectedResets = 0;
        int pending = 0;
        for (int i = 0; i < 20_000; i++) {
            int port = r.nextBoolean() ? 0x60 : 0x64;
            int size = 1 << r.nextInt(3);
            if (r.nextBoolean()) {
                pio.read(port, size);
                continue;
            }
            int v = r.nextInt(256);
            pio.write(port, size, v | (long) r.nextInt() << 8);
            if (port == 0x64) {
                pending = v == 0xd1 || v == 0x60 || v == 0xd2 || v == 0xd3 || v == 0xd4 ? v : 0;
                if (v >= 0xf0 && (v & 1) == 0) {
                    expectedResets++;
                }
            } else {
                if (pending == 0xd1 && (v & 1) == 0) {
                    expectedResets++;
                }
                pending = 0;
            }
        }
        assertEquals(expectedResets, resets.get());
        assertEquals(0, powerOffs.get());
    }

    @Test
    void writingTheOutputPortWithResetLowResets() {
        pio.write(0x64, 1, 0xd1);
        pio.write(0x60, 1, 0x03); // reset line high (inactive)
        assertEquals(0, resets.get());
        pio.write(0x64, 1, 0xd0);
        assertEquals(0x03, data());
        pio.write(0x64, 1, 0xd1);
        pio.write(0x60, 1, 0x02);
        assertEquals(1, resets.get());
        assertEquals(0, powerOffs.get());
    }
}
