package io.jvirt.vmm.devices.virtio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.vmm.arch.x86_64.firmware.TestGuestMemory;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** virtio-console port 0 (§5.3) as Linux's virtio_console drives it without MULTIPORT. */
class HvcDeviceTest {
    private static final long VERSION_1 = 1L << 32;
    private static final long BUF = 0x40000;

    private TestGuestMemory mem;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private VirtioConsole console;
    private VirtioMmio dev;
    private TestDriver rx;
    private TestDriver tx;
    private int raised;

    @BeforeEach
    void setUp() {
        mem = new TestGuestMemory(0, 1 << 20);
        console = VirtioDevice.console(out);
        dev = VirtioMmio.create(console, mem, high -> raised += high ? 1 : 0);
        rx = new TestDriver(dev, mem, HvcDevice.RECEIVEQ);
        tx = new TestDriver(dev, mem, HvcDevice.TRANSMITQ);
        assertEquals(HvcDevice.DEVICE_ID, rx.read(MmioTransport.DEVICE_ID));
        assertEquals(1, rx.deviceFeatures() & 0x7, "SIZE, but no MULTIPORT or EMERG_WRITE: port 0 only");
        assertTrue(rx.negotiate(VERSION_1 | 1L << HvcDevice.F_SIZE));
        rx.setupQueue(16, 0x10000, 0x11000, 0x12000);
        tx.setupQueue(16, 0x20000, 0x21000, 0x22000);
        rx.driverOk();
    }

    @AfterEach
    void tearDown() {
        mem.close();
    }

    @Test
    void transmittedBytesReachTheHostOutput() {
        byte[] a = "hello ".getBytes(StandardCharsets.US_ASCII);
        byte[] b = "hvc0\n".getBytes(StandardCharsets.US_ASCII);
        mem.write(BUF, a);
        mem.write(BUF + 0x100, b);
        tx.descriptor(tx.desc, 0, BUF, a.length, Virtio.VIRTQ_DESC_F_NEXT, 1);
        tx.descriptor(tx.desc, 1, BUF + 0x100, b.length, 0, 0);
        tx.offer(0);
        tx.kick();
        assertEquals("hello hvc0\n", out.toString(StandardCharsets.US_ASCII));
        assertEquals(1, tx.usedIdx());
        assertEquals(0, tx.usedElem(0)[1], "the device writes nothing into a transmit buffer");
        assertTrue(raised > 0);
    }

    /** Posted receive buffers with no input waiting are no work: serving the kick does not ring the doorbell again. */
    @Test
    void idleReceiveBuffersDoNotRingTheDoorbellAgain() {
        int[] rings = new int[1];
        VirtioMmio withDoorbell = VirtioMmio.create(console, mem, high -> { }, () -> rings[0]++);
        TestDriver r = new TestDriver(withDoorbell, mem, HvcDevice.RECEIVEQ);
        assertTrue(r.negotiate(VERSION_1 | 1L << HvcDevice.F_SIZE));
        r.setupQueue(16, 0x10000, 0x11000, 0x12000);
        r.driverOk();
        r.descriptor(r.desc, 0, BUF, 64, Virtio.VIRTQ_DESC_F_WRITE, 0);
        r.offer(0);
        r.kick();
        assertEquals(1, rings[0], "the driver's kick rings the doorbell");
        withDoorbell.notifyQueues(); // the I/O thread serves the ring: no input to deliver
        assertEquals(1, rings[0], "an idle receive queue rang the doorbell again");
        assertEquals(0, r.usedIdx());
    }

    @Test
    void inputWaitsForReceiveBuffersThenFillsThem() {
        for (byte c : "ls\n".getBytes(StandardCharsets.US_ASCII)) {
            assertTrue(console.receive(c));
        }
        console.inputDone(); // no receive buffer yet: the bytes wait in the device
        assertEquals(3, console.pendingInput());
        assertEquals(0, rx.usedIdx());
        rx.descriptor(rx.desc, 0, BUF, 2, Virtio.VIRTQ_DESC_F_WRITE, 0);
        rx.descriptor(rx.desc, 1, BUF + 0x100, 64, Virtio.VIRTQ_DESC_F_WRITE, 0);
        rx.offer(0);
        rx.offer(1);
        rx.kick();
        assertEquals(2, rx.usedIdx(), "a 2-byte buffer, then the rest in the next one");
        assertArrayEquals(new int[] {0, 2}, rx.usedElem(0));
        assertArrayEquals(new int[] {1, 1}, rx.usedElem(1));
        assertEquals("ls", new String(mem.read(BUF, 2), StandardCharsets.US_ASCII));
        assertEquals('\n', mem.read(BUF + 0x100, 1)[0]);
        assertEquals(0, console.pendingInput());
    }

    @Test
    void aFullBufferPushesBackWithoutLosingBytes() {
        int taken = 0;
        while (console.receive((byte) ('a' + taken % 26))) {
            taken++;
        }
        assertEquals(HvcDevice.BUFFER, taken);
        assertFalse(console.receive((byte) 'x'));
        rx.descriptor(rx.desc, 0, BUF, 8192, Virtio.VIRTQ_DESC_F_WRITE, 0);
        rx.offer(0);
        rx.kick();
        assertEquals(HvcDevice.BUFFER, rx.usedElem(0)[1]);
        byte[] got = mem.read(BUF, HvcDevice.BUFFER);
        for (int i = 0; i < got.length; i++) {
            assertEquals((byte) ('a' + i % 26), got[i], "byte " + i);
        }
        assertTrue(console.receive((byte) 'x'), "room again once the guest took the input");
    }

    @Test
    void aTerminalResizeReachesTheConfigurationWithAConfigChangeInterrupt() {
        int generation = rx.read(MmioTransport.CONFIG_GENERATION);
        console.resize(132, 43);
        assertEquals(132, dev.read(MmioTransport.CONFIG, 2), "cols (§5.3.4)");
        assertEquals(43, dev.read(MmioTransport.CONFIG + 2, 2), "rows");
        assertEquals(132 | 43 << 16, dev.read(MmioTransport.CONFIG, 4));
        assertEquals(generation + 1, rx.read(MmioTransport.CONFIG_GENERATION));
        assertEquals(MmioTransport.INT_CONFIG_CHANGE, rx.read(MmioTransport.INTERRUPT_STATUS));
        rx.write(MmioTransport.INTERRUPT_ACK, MmioTransport.INT_CONFIG_CHANGE);
        console.resize(132, 43); // unchanged: no interrupt
        assertEquals(0, rx.read(MmioTransport.INTERRUPT_STATUS));
        assertEquals(generation + 1, rx.read(MmioTransport.CONFIG_GENERATION));
    }

    @Test
    void aSizeKnownBeforeDriverOkIsAnnouncedAtDriverOk() {
        rx.write(MmioTransport.STATUS, 0);
        console.resize(80, 24); // before the driver is up: no interrupt
        assertEquals(0, rx.read(MmioTransport.INTERRUPT_STATUS));
        assertTrue(rx.negotiate(VERSION_1 | 1L << HvcDevice.F_SIZE));
        rx.setupQueue(16, 0x10000, 0x11000, 0x12000);
        tx.setupQueue(16, 0x20000, 0x21000, 0x22000);
        rx.driverOk();
        assertEquals(MmioTransport.INT_CONFIG_CHANGE, rx.read(MmioTransport.INTERRUPT_STATUS),
                "Linux reads the size only on a configuration change");
        assertEquals(80 | 24 << 16, dev.read(MmioTransport.CONFIG, 4));
    }

    @Test
    void afterCloseConsoleInputNoLongerReachesGuestMemory() {
        rx.descriptor(rx.desc, 0, BUF, 64, Virtio.VIRTQ_DESC_F_WRITE, 0);
        rx.offer(0);
        dev.close(); // the machine does this before it frees guest RAM
        assertTrue(console.receive((byte) 'x'));
        console.inputDone(); // the console's input thread may still be running
        assertEquals(0, rx.usedIdx());
        assertEquals(0, mem.read(BUF, 1)[0]);
        assertEquals(0, rx.read(MmioTransport.MAGIC_VALUE), "a closed transport reads as zero");
    }
}
