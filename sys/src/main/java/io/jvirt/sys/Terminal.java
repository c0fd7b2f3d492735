package io.jvirt.sys;

/**
 * A terminal in raw mode (termios(3), cfmakeraw): no echo, no line editing, no CR/LF
 * translation, bytes delivered one at a time, so a guest's serial console sees every key.
 * {@link #close()} restores the settings it found. Use with try-with-resources, and restore in
 * a shutdown hook as well, so the user's shell is never left raw.
 */
public interface Terminal extends AutoCloseable {

    /** True when {@code fd} is a terminal (isatty). */
    static boolean isTerminal(int fd) {
        return Libc.isatty(fd);
    }

    /**
     * Puts terminal {@code fd} (0 for stdin) into raw mode. With {@code keepSignals}, Ctrl-C
     * and Ctrl-Z still signal the process (ISIG kept). Throws {@link SysException} (ENOTTY when
     * {@code fd} is not a terminal).
     */
    static Terminal enterRaw(int fd, boolean keepSignals) {
        return TtyTerminal.enterRaw(fd, keepSignals);
    }

    /** A terminal's window size in character cells. */
    record Size(int columns, int rows) {
    }

    /**
     * The window size of terminal {@code fd} (ioctl TIOCGWINSZ, tty_ioctl(4)); empty when
     * {@code fd} is not a terminal or its size is unknown (0x0).
     */
    static java.util.Optional<Size> size(int fd) {
        return TtyTerminal.size(fd);
    }

    /** The terminal's file descriptor. */
    int fd();

    /** Restores the settings found by {@link #enterRaw}; idempotent. */
    @Override
    void close();
}
