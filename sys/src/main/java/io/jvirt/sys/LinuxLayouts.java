package io.jvirt.sys;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.StructLayout;

/** Mirrors of the glibc/Linux structs jvirt passes (x86-64); SysLayoutTest checks them. */
final class LinuxLayouts {

    private LinuxLayouts() {
    }

    /*
     * typedef union epoll_data { void *ptr; int fd; uint32_t u32; uint64_t u64; } epoll_data_t;
     * struct epoll_event {
     *     uint32_t events;
     *     epoll_data_t data;
     * } __EPOLL_PACKED;          // packed on x86-64: 12 bytes, data at offset 4
     */
    static final StructLayout EPOLL_EVENT = structLayout(
            JAVA_INT.withName("events"), JAVA_LONG_UNALIGNED.withName("data")).withName("epoll_event");

    /*
     * #define NCCS 32
     * struct termios {
     *     tcflag_t c_iflag;      // tcflag_t = unsigned int
     *     tcflag_t c_oflag;
     *     tcflag_t c_cflag;
     *     tcflag_t c_lflag;
     *     cc_t c_line;           // cc_t = unsigned char
     *     cc_t c_cc[NCCS];
     *     speed_t c_ispeed;      // speed_t = unsigned int
     *     speed_t c_ospeed;
     * };
     */
    static final StructLayout TERMIOS = structLayout(
            JAVA_INT.withName("c_iflag"), JAVA_INT.withName("c_oflag"), JAVA_INT.withName("c_cflag"),
            JAVA_INT.withName("c_lflag"), JAVA_BYTE.withName("c_line"),
            sequenceLayout(32, JAVA_BYTE).withName("c_cc"), paddingLayout(3),
            JAVA_INT.withName("c_ispeed"), JAVA_INT.withName("c_ospeed")).withName("termios");

    /*
     * struct winsize {
     *     unsigned short ws_row;
     *     unsigned short ws_col;
     *     unsigned short ws_xpixel;
     *     unsigned short ws_ypixel;
     * };
     */
    static final StructLayout WINSIZE = structLayout(
            java.lang.foreign.ValueLayout.JAVA_SHORT.withName("ws_row"), java.lang.foreign.ValueLayout.JAVA_SHORT.withName("ws_col"),
            java.lang.foreign.ValueLayout.JAVA_SHORT.withName("ws_xpixel"),
            java.lang.foreign.ValueLayout.JAVA_SHORT.withName("ws_ypixel")).withName("winsize");

    /*
     * typedef struct { unsigned long int __val[1024 / (8 * sizeof (unsigned long int))]; } __sigset_t;
     */
    static final StructLayout SIGSET = structLayout(
            sequenceLayout(16, JAVA_LONG).withName("__val")).withName("__sigset_t");

    /*
     * struct sigaction {                     // glibc bits/sigaction.h
     *     union { __sighandler_t sa_handler; void (*sa_sigaction)(int, siginfo_t *, void *); }
     *         __sigaction_handler;
     * #define sa_handler __sigaction_handler.sa_handler
     *     __sigset_t sa_mask;
     *     int sa_flags;
     *     void (*sa_restorer) (void);
     * };
     */
    static final StructLayout SIGACTION = structLayout(
            ADDRESS.withName("sa_handler"), SIGSET.withName("sa_mask"), JAVA_INT.withName("sa_flags"),
            paddingLayout(4), ADDRESS.withName("sa_restorer")).withName("sigaction");

    /*
     * <net/if.h>, as TUNSETIFF uses it:
     * struct ifreq {
     *     union { char ifrn_name[IFNAMSIZ]; } ifr_ifrn;          // #define ifr_name ifr_ifrn.ifrn_name
     *     union { ...; short ifru_flags; ...; struct ifmap ifru_map; } ifr_ifru;  // 24 bytes, 8-aligned
     * };                                                         // #define ifr_flags ifr_ifru.ifru_flags
     */
    static final StructLayout IFREQ = structLayout(
            sequenceLayout(16, JAVA_BYTE).withName("ifr_name"), java.lang.foreign.ValueLayout.JAVA_SHORT.withName("ifr_flags"),
            paddingLayout(22)).withName("ifreq");
}
