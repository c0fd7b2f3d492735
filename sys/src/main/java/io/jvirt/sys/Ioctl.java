package io.jvirt.sys;

/**
 * ioctl request numbers as <asm-generic/ioctl.h> builds them on x86:
 * {@code dir << 30 | size << 16 | type << 8 | nr}.
 */
final class Ioctl {

    private static final int IOC_NONE = 0;  // _IOC_NONE
    private static final int IOC_WRITE = 1; // _IOC_WRITE
    private static final int IOC_READ = 2;  // _IOC_READ

    private Ioctl() {
    }

    private static long ioc(int dir, int type, int nr, long size) {
        if (size < 0 || size >= (1 << 14)) {
            throw new IllegalArgumentException("ioctl argument size " + size + " does not fit _IOC_SIZEBITS");
        }
        return ((long) dir << 30) | (size << 16) | ((long) type << 8) | nr;
    }

    /** _IO(type, nr). */
    static long io(int type, int nr) {
        return ioc(IOC_NONE, type, nr, 0);
    }

    /** _IOR(type, nr, size). */
    static long ior(int type, int nr, long size) {
        return ioc(IOC_READ, type, nr, size);
    }

    /** _IOW(type, nr, size). */
    static long iow(int type, int nr, long size) {
        return ioc(IOC_WRITE, type, nr, size);
    }

    /** _IOWR(type, nr, size). */
    static long iowr(int type, int nr, long size) {
        return ioc(IOC_READ | IOC_WRITE, type, nr, size);
    }
}
