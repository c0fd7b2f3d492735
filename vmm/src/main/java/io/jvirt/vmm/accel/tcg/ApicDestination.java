package io.jvirt.vmm.accel.tcg;

/**
 * Whether an interrupt message's destination names a local APIC (Intel SDM vol. 3A §11.6.2:
 * physical and logical destination modes; §11.6.2.2 flat and cluster models of the xAPIC DFR;
 * §11.12.10 x2APIC logical IDs). Pure functions of the target's ID/LDR/DFR.
 */
final class ApicDestination {

    /** xAPIC 8-bit broadcast destination. */
    static final int XAPIC_BROADCAST = 0xff;
    /** x2APIC 32-bit broadcast destination. */
    static final int X2APIC_BROADCAST = 0xffffffff;

    private ApicDestination() {
    }

    /** The x2APIC logical ID, derived from the APIC ID: cluster in bits 31:16, one bit of 16 below (§11.12.10.2). */
    static int x2apicLdr(int apicId) {
        return ((apicId >>> 4) << 16) | (1 << (apicId & 0xf));
    }

    static boolean xapicPhysical(int id, int dest) {
        int d = dest & 0xff;
        return d == XAPIC_BROADCAST || d == (id & 0xff);
    }

    /** An xAPIC-format (8-bit) sender's 0xff is a broadcast to x2APIC targets too. */
    static boolean x2apicPhysical(int apicId, int dest, boolean x2format) {
        return dest == X2APIC_BROADCAST || (!x2format && dest == XAPIC_BROADCAST) || dest == apicId;
    }

    static boolean xapicLogical(int ldr, int dfr, int dest) {
        int d = dest & 0xff;
        if (d == XAPIC_BROADCAST) {
            return true;
        }
        int logicalId = ldr >>> 24;
        if ((dfr >>> 28) == 0xf) {
            return (logicalId & d) != 0; // flat model: a bit mask of up to 8 APICs
        }
        return (logicalId >>> 4) == (d >>> 4) && (logicalId & d & 0xf) != 0; // cluster model
    }

    static boolean x2apicLogical(int apicId, int dest, boolean x2format) {
        if (dest == X2APIC_BROADCAST || (!x2format && dest == XAPIC_BROADCAST)) {
            return true;
        }
        int ldr = x2apicLdr(apicId);
        return (dest >>> 16) == (ldr >>> 16) && (dest & ldr & 0xffff) != 0;
    }
}
