package io.jvirt.vmm.accel.tcg.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The compiler directive that keeps C2 off quick translations and the translator is one HotSpot accepts. */
class HotSpotTiersTest {

    @Test
    void hotSpotAcceptsTheDirective() {
        // A directive HotSpot cannot parse is only logged at run time (boots get slower, results
        // stay the same), so a typo in it would go unnoticed without this.
        assertTrue(HotSpotTiers.install(), "HotSpot refused the compiler directive; see the warning logged above");
    }
}
