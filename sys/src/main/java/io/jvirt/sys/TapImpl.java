package io.jvirt.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/** {@link Tap} over /dev/net/tun. */
final class TapImpl implements Tap {

    private static final String TUN = "/dev/net/tun";

    private final Fd fd;
    private final String name;
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment rxBuf = arena.allocate(MAX_PACKET);
    private final MemorySegment txBuf = arena.allocate(MAX_PACKET);

    private TapImpl(Fd fd, String name) {
        this.fd = fd;
        this.name = name;
    }

    static TapImpl open(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        if (name.isEmpty() || bytes.length >= TunConstants.IFNAMSIZ || !name.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("TAP name '" + name + "' is not a Linux interface name; use 1-15 of A-Z a-z 0-9 _ . -");
        }
        int n;
        try {
            n = Libc.open(TUN, LinuxConstants.O_RDWR | LinuxConstants.O_NONBLOCK | LinuxConstants.O_CLOEXEC, 0);
        } catch (SysException e) {
            String fix = e.is("ENOENT") || e.is("ENODEV") || e.is("ENXIO")
                    ? "load the tun module (modprobe tun) or create the node (mknod /dev/net/tun c 10 200)"
                    : "run as root or with CAP_NET_ADMIN, or make " + TUN + " accessible to this user";
            throw new IllegalStateException("TAP " + name + ": cannot open " + TUN + " (" + e.errnoName() + "); " + fix, e);
        }
        Fd owned = new Fd(n, "TAP " + name);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ifr = a.allocate(LinuxLayouts.IFREQ);
            MemorySegment.copy(bytes, 0, ifr, ValueLayout.JAVA_BYTE, 0, bytes.length);
            ifr.set(ValueLayout.JAVA_SHORT, LinuxLayouts.IFREQ.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("ifr_flags")),
                    (short) (TunConstants.IFF_TAP | TunConstants.IFF_NO_PI | TunConstants.IFF_VNET_HDR));
            try {
                Libc.ioctl(n, TunConstants.TUNSETIFF, ifr, "TUNSETIFF", owned.name());
            } catch (SysException e) {
                String fix = e.is("EPERM") || e.is("EACCES")
                        ? "run as root or with CAP_NET_ADMIN, or create it for this user first (ip tuntap add " + name
                                + " mode tap vnet_hdr user $USER)"
                        : e.is("EBUSY") ? "another process holds it; pick another name or stop that process"
                        : "check that " + name + " is not an existing non-TAP interface";
                throw new IllegalStateException("TAP " + name + ": TUNSETIFF failed (" + e.errnoName() + "); " + fix, e);
            }
            MemorySegment sz = a.allocateFrom(ValueLayout.JAVA_INT, VNET_HDR_SIZE);
            Libc.ioctl(n, TunConstants.TUNSETVNETHDRSZ, sz, "TUNSETVNETHDRSZ", owned.name());
            Libc.ioctl(n, TunConstants.TUNSETOFFLOAD, 0L, "TUNSETOFFLOAD", owned.name());
        } catch (RuntimeException e) {
            owned.close();
            throw e;
        }
        return new TapImpl(owned, name);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int fd() {
        return fd.get();
    }

    @Override
    public void setOffload(int flags) {
        Libc.ioctl(fd.get(), TunConstants.TUNSETOFFLOAD, Integer.toUnsignedLong(flags), "TUNSETOFFLOAD", fd.name());
    }

    @Override
    public synchronized int read(byte[] buf) {
        long n = Libc.readNonBlocking(fd.get(), rxBuf, Math.min(buf.length, MAX_PACKET), fd.name());
        if (n == -LinuxConstants.EAGAIN) {
            return -1;
        }
        MemorySegment.copy(rxBuf, ValueLayout.JAVA_BYTE, 0, buf, 0, (int) n);
        return (int) n;
    }

    @Override
    public boolean write(byte[] buf, int offset, int length) {
        if (length > MAX_PACKET) {
            throw new IllegalArgumentException("TAP " + name + ": packet of " + length + " bytes exceeds " + MAX_PACKET);
        }
        synchronized (txBuf) {
            MemorySegment.copy(buf, offset, txBuf, ValueLayout.JAVA_BYTE, 0, length);
            return Libc.writeNonBlocking(fd.get(), txBuf, length, fd.name()) != -LinuxConstants.EAGAIN;
        }
    }

    @Override
    public void close() {
        fd.close();
        // The buffers (Arena.ofAuto) stay mapped until collected, so a racing read never touches freed memory.
    }
}
