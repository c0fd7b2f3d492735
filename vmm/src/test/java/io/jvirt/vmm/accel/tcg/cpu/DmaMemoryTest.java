package io.jvirt.vmm.accel.tcg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.vmm.memory.GuestMemory;
import org.junit.jupiter.api.Test;

/** Device writes through the software CPU's device view drop decoded code, like CPU stores do. */
class DmaMemoryTest {

    @Test
    void deviceWritesBumpTheGenerationOfEveryCodePageTheyTouch() {
        GuestMemory ram = new io.jvirt.vmm.arch.x86_64.firmware.TestGuestMemory(0, 1 << 20);
        CodePages code = CodePages.of(ram);
        GuestMemory dma = CpuCore.deviceView(ram);
        int g1 = code.mark(0x1000);
        int g2 = code.mark(0x2000);
        int g5 = code.mark(0x5000);

        dma.write(0x1ffe, new byte[4]); // straddles pages 1 and 2
        assertNotEquals(g1, code.generation(0x1000));
        assertNotEquals(g2, code.generation(0x2000));
        assertFalse(code.isCode(0x1000), "page 1 is no longer marked as code");

        dma.writeLong(0x4000, 1); // not code: nothing changes
        assertEquals(g5, code.generation(0x5000));
        dma.writeByte(0x5123, (byte) 1);
        assertNotEquals(g5, code.generation(0x5123));
        assertEquals(1, ram.readByte(0x5123), "the write reached RAM");
        assertTrue(code.mark(0x5000) > g5);
    }

    @Test
    void storesThroughAViewDropCodeOnceReported() {
        GuestMemory ram = new io.jvirt.vmm.arch.x86_64.firmware.TestGuestMemory(0, 1 << 20);
        CodePages code = CodePages.of(ram);
        GuestMemory dma = CpuCore.deviceView(ram);
        int g3 = code.mark(0x3000);
        int g4 = code.mark(0x4000);

        dma.buffer(0x3800, 0x1000).put(0, new byte[] {0x42}, 0, 1); // a file read lands here
        assertEquals(0x42, ram.readByte(0x3800), "the view is the guest's RAM");
        dma.stored(0x3800, 0x1000);
        assertNotEquals(g3, code.generation(0x3000));
        assertNotEquals(g4, code.generation(0x4000), "the range reached into page 4");
    }
}
