package io.jvirt.sys;

import static io.jvirt.sys.Ioctl.iow;

/**
 * Constants of <linux/if_tun.h> and <net/if.h> (x86-64). Field names are the C macro names;
 * SysLayoutTest compiles each name with gcc and compares the values.
 */
final class TunConstants {

    private TunConstants() {
    }

    /** <net/if.h>: interface names are at most 15 bytes plus NUL. */
    static final int IFNAMSIZ = 16;

    // <linux/if_tun.h> ioctls, type 'T'
    static final long TUNSETIFF = iow('T', 202, 4);
    static final long TUNSETOFFLOAD = iow('T', 208, 4);
    static final long TUNSETVNETHDRSZ = iow('T', 216, 4);

    // TUNSETIFF flags
    static final int IFF_TUN = 0x0001;
    static final int IFF_TAP = 0x0002;
    static final int IFF_NO_PI = 0x1000;
    static final int IFF_VNET_HDR = 0x4000;

    // TUNSETOFFLOAD flags: what the TAP may hand us (the guest receives)
    static final int TUN_F_CSUM = 0x01;
    static final int TUN_F_TSO4 = 0x02;
    static final int TUN_F_TSO6 = 0x04;
    static final int TUN_F_TSO_ECN = 0x08;
}
