package io.jvirt.vmm.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PollWindowTest {
    private static final long MAX = 200_000;

    @Test
    void startsAtNoneAndDoublesOnShortWaitsUpToTheLongest() {
        PollWindow w = PollWindow.upTo(MAX);
        assertEquals(0, w.nanos(), "no spinning before any wait was seen");
        long[] expected = {10_000, 20_000, 40_000, 80_000, 160_000, 200_000, 200_000};
        for (long e : expected) {
            w.waited(MAX - 1);
            assertEquals(e, w.nanos());
        }
    }

    @Test
    void halvesOnLongWaitsDownToNone() {
        PollWindow w = PollWindow.upTo(MAX);
        for (int i = 0; i < 6; i++) {
            w.waited(1);
        }
        assertEquals(MAX, w.nanos());
        w.waited(MAX + 1);
        assertEquals(MAX / 2, w.nanos());
        for (int i = 0; i < 20; i++) {
            w.waited(1_000_000_000L);
        }
        assertEquals(0, w.nanos(), "an idle guest costs no spinning");
    }

    @Test
    void aZeroLongestWindowNeverPolls() {
        PollWindow w = PollWindow.upTo(0);
        w.waited(0);
        w.waited(1);
        assertEquals(0, w.nanos());
    }
}
