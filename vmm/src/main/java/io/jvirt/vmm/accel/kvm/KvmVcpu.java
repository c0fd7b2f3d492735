package io.jvirt.vmm.accel.kvm;

import io.jvirt.sys.KvmExit;
import io.jvirt.sys.KvmFpu;
import io.jvirt.sys.KvmRegs;
import io.jvirt.sys.KvmSregs;
import io.jvirt.sys.SysException;
import io.jvirt.sys.VcpuFd;
import io.jvirt.vmm.accel.Vcpu;
import io.jvirt.vmm.accel.VcpuExit;
import io.jvirt.vmm.arch.x86_64.X86BootState;
import io.jvirt.vmm.devices.IoBus;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * A KVM vCPU: runs KVM_RUN and serves port I/O and MMIO exits from the machine's buses until an
 * exit the machine must see. Nothing a guest does makes this throw: failures become
 * {@link VcpuExit.Failed}.
 */
final class KvmVcpu implements Vcpu {

    private static final Logger LOG = System.getLogger(KvmVcpu.class.getName());
    private static final VcpuExit KICKED = new VcpuExit.Kicked();

    private final VcpuFd fd;
    private final int index;
    private final IoBus pio;
    private final IoBus mmio;
    private final KvmVcpuState powerOn;

    KvmVcpu(VcpuFd fd, int index, IoBus pio, IoBus mmio) {
        this.fd = fd;
        this.index = index;
        this.pio = pio;
        this.mmio = mmio;
        this.powerOn = new KvmVcpuState(fd, index);
    }

    VcpuFd fd() {
        return fd;
    }

    /** After KVM_SET_CPUID2: boot MSRs and LAPIC LINT pins; remembers the power-on state. */
    void initialize() {
        powerOn.capture();
    }

    void resetToPowerOn() {
        powerOn.restore();
    }

    /** Loads the boot protocol's registers (vCPU 0 only). */
    void loadBootState(X86BootState boot) {
        KvmSregs now = fd.sregs();
        fd.setSregs(KvmBootRegisters.sregs(boot, now));
        fd.setRegs(KvmBootRegisters.regs(boot));
        fd.setFpu(KvmFpu.reset());
    }

    @Override
    public int index() {
        return index;
    }

    @Override
    public void kick() {
        fd.kick();
    }

    @Override
    public VcpuExit run() {
        while (true) {
            KvmExit exit;
            try {
                exit = fd.run();
            } catch (SysException e) {
                return new VcpuExit.Failed("KVM_RUN failed: " + e.getMessage() + state());
            } catch (IllegalStateException closed) {
                return new VcpuExit.Failed("vcpu " + index + " is closed: " + closed.getMessage());
            }
            switch (exit) {
                case KvmExit.Io io -> port(io);
                case KvmExit.Mmio m -> memory(m);
                case KvmExit.Hlt h -> {
                    // Only without an in-kernel irqchip, which we always create: HLT then acts as a NOP.
                }
                case KvmExit.Interrupted i -> {
                    return KICKED;
                }
                case KvmExit.Shutdown s -> {
                    return new VcpuExit.TripleFault("KVM_EXIT_SHUTDOWN on vcpu " + index + state());
                }
                case KvmExit.SystemEvent e -> {
                    return switch (e.type()) {
                        case KvmExit.SystemEvent.SHUTDOWN -> new VcpuExit.SystemEvent(VcpuExit.SystemEvent.Kind.POWER_OFF);
                        case KvmExit.SystemEvent.RESET -> new VcpuExit.SystemEvent(VcpuExit.SystemEvent.Kind.RESET);
                        case KvmExit.SystemEvent.CRASH -> new VcpuExit.SystemEvent(VcpuExit.SystemEvent.Kind.CRASH);
                        default -> new VcpuExit.Failed("KVM_EXIT_SYSTEM_EVENT of unknown type " + e.type());
                    };
                }
                case KvmExit.FailEntry f -> {
                    return new VcpuExit.Failed(String.format(
                            "KVM_EXIT_FAIL_ENTRY: hardware entry failure reason 0x%x on host cpu %d%s",
                            f.hardwareReason(), f.cpu(), state()));
                }
                case KvmExit.InternalError e -> {
                    return new VcpuExit.Failed("KVM_EXIT_INTERNAL_ERROR: " + e + state());
                }
                case KvmExit.Other o -> {
                    return new VcpuExit.Failed(String.format("unexpected KVM exit reason %d (hardware reason 0x%x)%s",
                            o.reason(), o.hardwareReason(), state()));
                }
            }
        }
    }

    /** KVM_EXIT_IO: {@code count} accesses of {@code size} bytes (REP INS/OUTS), both directions. */
    private void port(KvmExit.Io io) {
        int size = io.size();
        if (io.in()) {
            byte[] data = new byte[size * io.count()];
            for (int i = 0; i < io.count(); i++) {
                long v = safeRead(pio, io.port(), size);
                for (int b = 0; b < size; b++) {
                    data[i * size + b] = (byte) (v >>> (8 * b));
                }
            }
            fd.completeIn(data);
        } else {
            byte[] data = io.data();
            for (int i = 0; i < io.count(); i++) {
                safeWrite(pio, io.port(), size, littleEndian(data, i * size, size));
            }
        }
    }

    /** KVM_EXIT_MMIO: accesses of 1, 2, 4 or 8 bytes go whole to the bus; other lengths bytewise. */
    private void memory(KvmExit.Mmio m) {
        int len = m.length();
        boolean whole = len == 1 || len == 2 || len == 4 || len == 8;
        if (m.write()) {
            if (whole) {
                safeWrite(mmio, m.address(), len, m.data());
            } else {
                for (int b = 0; b < len; b++) {
                    safeWrite(mmio, m.address() + b, 1, (m.data() >>> (8 * b)) & 0xff);
                }
            }
        } else {
            long v = 0;
            if (whole) {
                v = safeRead(mmio, m.address(), len);
            } else {
                for (int b = 0; b < len; b++) {
                    v |= (safeRead(mmio, m.address() + b, 1) & 0xff) << (8 * b);
                }
            }
            fd.completeMmioRead(v);
        }
    }

    private static long littleEndian(byte[] data, int offset, int size) {
        long v = 0;
        for (int b = size - 1; b >= 0; b--) {
            v = (v << 8) | (data[offset + b] & 0xffL);
        }
        return v;
    }

    /** A device that throws is a device bug; the guest sees an unclaimed read (all ones). */
    private long safeRead(IoBus bus, long address, int size) {
        try {
            return bus.read(address, size);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, String.format("vcpu %d: device read of %d bytes at 0x%x failed", index, size, address), e);
            return size >= 8 ? -1L : (1L << (8 * size)) - 1;
        }
    }

    private void safeWrite(IoBus bus, long address, int size, long value) {
        try {
            bus.write(address, size, value);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, String.format("vcpu %d: device write of %d bytes (0x%x) at 0x%x failed",
                    index, size, value, address), e);
        }
    }

    /** The registers, for failure reports; never throws. */
    private String state() {
        try {
            KvmRegs r = fd.regs();
            KvmSregs s = fd.sregs();
            return String.format(" (rip 0x%x rsp 0x%x rflags 0x%x cs 0x%x cr0 0x%x cr3 0x%x cr4 0x%x efer 0x%x)",
                    r.rip(), r.rsp(), r.rflags(), s.cs().selector(), s.cr0(), s.cr3(), s.cr4(), s.efer());
        } catch (RuntimeException e) {
            return " (registers unavailable: " + e.getMessage() + ")";
        }
    }

    void close() {
        fd.close();
    }
}
