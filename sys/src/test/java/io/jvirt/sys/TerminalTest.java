package io.jvirt.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Terminal on a real pseudo-terminal pair from /dev/ptmx (pts(4)). */
class TerminalTest {

    // <asm-generic/ioctls.h>: TIOCSPTLCK = _IOW('T', 0x31, int), TIOCGPTN = _IOR('T', 0x30, unsigned int)
    private static final long TIOCSPTLCK = Ioctl.iow('T', 0x31, 4);
    private static final long TIOCGPTN = Ioctl.ior('T', 0x30, 4);
    /** TIOCSWINSZ (asm-generic/ioctls.h 0x5414): what a terminal emulator does on a resize. */
    private static final long TIOCSWINSZ = 0x5414;

    private static byte[] termios(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment t = a.allocate(LinuxLayouts.TERMIOS);
            Libc.tcgetattr(fd, t, "pts");
            return t.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    private static int lflag(byte[] termios) {
        return MemorySegment.ofArray(termios).get(ValueLayout.JAVA_INT_UNALIGNED,
                KvmStructs.offset(LinuxLayouts.TERMIOS, "c_lflag"));
    }

    @Test
    void rawModeOnAPtyAndRestoreOnClose() {
        assumeTrue(Files.exists(Path.of("/dev/ptmx")), "no /dev/ptmx on this machine");
        int master = Libc.open("/dev/ptmx", LinuxConstants.O_RDWR | LinuxConstants.O_NOCTTY | LinuxConstants.O_CLOEXEC, 0);
        int pts;
        try (Arena a = Arena.ofConfined()) {
            Libc.ioctl(master, TIOCSPTLCK, a.allocateFrom(ValueLayout.JAVA_INT, 0), "TIOCSPTLCK", "/dev/ptmx");
            MemorySegment n = a.allocate(ValueLayout.JAVA_INT);
            Libc.ioctl(master, TIOCGPTN, n, "TIOCGPTN", "/dev/ptmx");
            pts = Libc.open("/dev/pts/" + n.get(ValueLayout.JAVA_INT, 0),
                    LinuxConstants.O_RDWR | LinuxConstants.O_NOCTTY | LinuxConstants.O_CLOEXEC, 0);
        }
        try {
            assertTrue(Terminal.isTerminal(pts));
            assertEquals(java.util.Optional.empty(), Terminal.size(pts), "a new pty has no size (0x0)");
            try (Arena a = Arena.ofConfined()) {
                MemorySegment w = a.allocate(LinuxLayouts.WINSIZE);
                w.set(ValueLayout.JAVA_SHORT, 0, (short) 40);  // ws_row
                w.set(ValueLayout.JAVA_SHORT, 2, (short) 132); // ws_col
                Libc.ioctl(master, TIOCSWINSZ, w, "TIOCSWINSZ", "/dev/ptmx");
            }
            assertEquals(java.util.Optional.of(new Terminal.Size(132, 40)), Terminal.size(pts));
            int devNull = Libc.open("/dev/null", LinuxConstants.O_RDWR | LinuxConstants.O_CLOEXEC, 0);
            assertEquals(java.util.Optional.empty(), Terminal.size(devNull), "not a terminal");
            Libc.close(devNull, "/dev/null");
            byte[] before = termios(pts);
            assertNotEquals(0, lflag(before) & LinuxConstants.ICANON, "a new pty starts canonical");
            try (Terminal t = Terminal.enterRaw(pts, true)) {
                assertEquals(pts, t.fd());
                int raw = lflag(termios(pts));
                assertEquals(0, raw & (LinuxConstants.ICANON | LinuxConstants.ECHO), "no line editing, no echo");
                assertNotEquals(0, raw & LinuxConstants.ISIG, "keepSignals keeps ISIG");
            }
            assertArrayEquals(before, termios(pts), "close restores every setting");
            try (Terminal t = Terminal.enterRaw(pts, false)) {
                assertEquals(0, lflag(termios(pts)) & LinuxConstants.ISIG);
            }
        } finally {
            Libc.close(pts, "pts");
            Libc.close(master, "ptmx");
        }
    }
}
