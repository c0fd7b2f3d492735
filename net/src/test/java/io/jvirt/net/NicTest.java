package io.jvirt.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class NicTest {

    @Test
    void parsesTapAndMac() {
        assertEquals(new Nic("tap0", Nic.DEFAULT_MAC), Nic.parse("tap=tap0"));
        Nic n = Nic.parse("tap=vm1-net,mac=02:AB:cd:00:00:01");
        assertEquals("vm1-net", n.tap());
        assertArrayEquals(new byte[] {2, (byte) 0xab, (byte) 0xcd, 0, 0, 1}, n.macBytes());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "tap=", "mac=52:54:00:12:34:56", "tap=t,mac=52:54:00:12:34", "tap=t,mac=01:00:5e:00:00:01",
            "tap=t,mac=52:54:00:12:34:5g", "tap=t,speed=10", "tap=sixteen-chars-xy", "tap=a b"})
    void refusesBadSpecsNamingThem(String spec) {
        var e = assertThrows(IllegalArgumentException.class, () -> Nic.parse(spec));
        assertTrue(e.getMessage().contains("tap=NAME"), e.getMessage());
    }
}
