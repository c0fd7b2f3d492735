package io.jvirt.vmm.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IoBusTest {

    @Test
    void dispatchesWithOffsetsAndReadsAllOnesWhereNothingIs() {
        IoBus pio = IoBus.create("pio");
        List<String> seen = new ArrayList<>();
        pio.register(0x3f8, 8, new BusDevice() {
            @Override public long read(long offset, int size) { seen.add("r" + offset + "/" + size); return offset; }
            @Override public void write(long offset, int size, long value) { seen.add("w" + offset + "=" + value); }
        });
        DebugPort post = new DebugPort();
        post.register(pio);
        assertEquals(5, pio.read(0x3fd, 1));
        pio.write(0x3f8, 1, 'x');
        pio.write(0x80, 1, 0x1234);
        assertEquals(0x34, post.last());
        assertEquals(List.of("r5/1", "w0=120"), seen);
        assertEquals(0xff, pio.read(0x3f7, 1));
        assertEquals(0xffff, pio.read(0x400, 2));
        assertEquals(0xffffffffL, pio.read(0x400, 4));
        assertTrue(pio.claims(0x3ff));
        assertFalse(pio.claims(0x400));
        pio.write(0x400, 1, 1); // dropped
        assertThrows(IllegalArgumentException.class, () -> pio.register(0x3fc, 2, post));
    }
}
