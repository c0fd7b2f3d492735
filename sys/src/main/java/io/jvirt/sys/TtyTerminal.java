package io.jvirt.sys;

import static io.jvirt.sys.LinuxConstants.BRKINT;
import static io.jvirt.sys.LinuxConstants.CS8;
import static io.jvirt.sys.LinuxConstants.CSIZE;
import static io.jvirt.sys.LinuxConstants.ECHO;
import static io.jvirt.sys.LinuxConstants.ECHONL;
import static io.jvirt.sys.LinuxConstants.ICANON;
import static io.jvirt.sys.LinuxConstants.ICRNL;
import static io.jvirt.sys.LinuxConstants.IEXTEN;
import static io.jvirt.sys.LinuxConstants.IGNBRK;
import static io.jvirt.sys.LinuxConstants.IGNCR;
import static io.jvirt.sys.LinuxConstants.INLCR;
import static io.jvirt.sys.LinuxConstants.ISIG;
import static io.jvirt.sys.LinuxConstants.ISTRIP;
import static io.jvirt.sys.LinuxConstants.IXON;
import static io.jvirt.sys.LinuxConstants.OPOST;
import static io.jvirt.sys.LinuxConstants.PARENB;
import static io.jvirt.sys.LinuxConstants.PARMRK;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@link Terminal} over tcgetattr/tcsetattr; keeps the original struct termios to restore. */
final class TtyTerminal implements Terminal {

    private static final long IFLAG = KvmStructs.offset(LinuxLayouts.TERMIOS, "c_iflag");
    private static final long OFLAG = KvmStructs.offset(LinuxLayouts.TERMIOS, "c_oflag");
    private static final long CFLAG = KvmStructs.offset(LinuxLayouts.TERMIOS, "c_cflag");
    private static final long LFLAG = KvmStructs.offset(LinuxLayouts.TERMIOS, "c_lflag");
    private static final long CC = KvmStructs.offset(LinuxLayouts.TERMIOS, "c_cc");

    private final int fd;
    private final byte[] saved;
    private final AtomicBoolean restored = new AtomicBoolean();

    private TtyTerminal(int fd, byte[] saved) {
        this.fd = fd;
        this.saved = saved;
    }

    static java.util.Optional<Terminal.Size> size(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment w = a.allocate(LinuxLayouts.WINSIZE);
            Libc.ioctl(fd, LinuxConstants.TIOCGWINSZ, w, "TIOCGWINSZ", "terminal fd " + fd);
            int rows = Short.toUnsignedInt(w.get(ValueLayout.JAVA_SHORT, 0));
            int cols = Short.toUnsignedInt(w.get(ValueLayout.JAVA_SHORT, 2));
            return rows == 0 || cols == 0 ? java.util.Optional.empty() : java.util.Optional.of(new Terminal.Size(cols, rows));
        } catch (SysException e) {
            return java.util.Optional.empty(); // ENOTTY: not a terminal
        }
    }

    static TtyTerminal enterRaw(int fd, boolean keepSignals) {
        String name = "terminal fd " + fd;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment t = a.allocate(LinuxLayouts.TERMIOS);
            Libc.tcgetattr(fd, t, name);
            byte[] saved = t.toArray(ValueLayout.JAVA_BYTE);
            // cfmakeraw(3)
            and(t, IFLAG, ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON));
            and(t, OFLAG, ~OPOST);
            and(t, LFLAG, ~(ECHO | ECHONL | ICANON | IEXTEN | (keepSignals ? 0 : ISIG)));
            and(t, CFLAG, ~(CSIZE | PARENB));
            t.set(ValueLayout.JAVA_INT, CFLAG, t.get(ValueLayout.JAVA_INT, CFLAG) | CS8);
            t.set(ValueLayout.JAVA_BYTE, CC + LinuxConstants.VMIN, (byte) 1);
            t.set(ValueLayout.JAVA_BYTE, CC + LinuxConstants.VTIME, (byte) 0);
            Libc.tcsetattr(fd, LinuxConstants.TCSANOW, t, name);
            return new TtyTerminal(fd, saved);
        }
    }

    private static void and(MemorySegment t, long offset, int mask) {
        t.set(ValueLayout.JAVA_INT, offset, t.get(ValueLayout.JAVA_INT, offset) & mask);
    }

    @Override
    public int fd() {
        return fd;
    }

    @Override
    public void close() {
        if (restored.compareAndSet(false, true)) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment t = a.allocate(LinuxLayouts.TERMIOS);
                MemorySegment.copy(saved, 0, t, ValueLayout.JAVA_BYTE, 0, saved.length);
                Libc.tcsetattr(fd, LinuxConstants.TCSADRAIN, t, "terminal fd " + fd);
            }
        }
    }
}
