package io.jvirt.vmm.machine;

import io.jvirt.vmm.accel.AccelVm;
import io.jvirt.vmm.accel.Accelerator;
import io.jvirt.vmm.accel.Vcpu;
import io.jvirt.vmm.accel.VcpuExit;
import io.jvirt.vmm.arch.x86_64.X86BootState;
import io.jvirt.vmm.devices.IoBus;
import io.jvirt.vmm.devices.IrqLine;
import io.jvirt.vmm.memory.GuestMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for the Accelerator contract (not for KVM) that lets machine tests drive the
 * lifecycle from "guest code": after each reset the boot vCPU runs {@link Guest#boot} once,
 * doing port I/O through the machine's real bus and devices, and then halts until kicked.
 * Other vCPUs wait for SIPI, i.e. until kicked.
 */
final class ScriptedAccelerator implements Accelerator {

    /** What the boot CPU does after its {@code boot}-th reset (1 = power-on). */
    @FunctionalInterface
    interface Guest {
        /** Returns an exit to report, or null to halt until kicked. */
        VcpuExit boot(int boot, IoBus pio);
    }

    private final Guest guest;
    final List<X86BootState> resets = new CopyOnWriteArrayList<>();
    volatile boolean closed;

    ScriptedAccelerator(Guest guest) {
        this.guest = guest;
    }

    @Override public String name() { return "scripted"; }
    @Override public int maxVcpus() { return 8; }

    @Override
    public AccelVm createVm(GuestMemory memory, IoBus pio, IoBus mmio, int vcpus) {
        return new Vm(pio, vcpus);
    }

    final class Vm implements AccelVm {
        private final IoBus pio;
        private final List<ScriptedVcpu> cpus = new ArrayList<>();

        Vm(IoBus pio, int n) {
            this.pio = pio;
            for (int i = 0; i < n; i++) {
                cpus.add(new ScriptedVcpu(i, this));
            }
        }

        @Override
        public IrqLine irqLine(int gsi) {
            return high -> { };
        }

        @Override public Vcpu vcpu(int index) { return cpus.get(index); }
        @Override public int vcpuCount() { return cpus.size(); }

        @Override
        public void reset(X86BootState boot) {
            resets.add(boot);
            cpus.getFirst().pendingBoot(resets.size());
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    final class ScriptedVcpu implements Vcpu {
        private final int index;
        private final Vm vm;
        private int bootToRun;
        private boolean kicked;

        ScriptedVcpu(int index, Vm vm) {
            this.index = index;
            this.vm = vm;
        }

        synchronized void pendingBoot(int boot) {
            bootToRun = boot;
        }

        @Override public int index() { return index; }

        @Override
        public VcpuExit run() {
            int boot;
            synchronized (this) {
                boot = bootToRun;
                bootToRun = 0;
            }
            if (boot > 0) {
                VcpuExit e = guest.boot(boot, vm.pio);
                if (e != null) {
                    return e;
                }
            }
            synchronized (this) {
                while (!kicked) {
                    try {
                        wait();
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                        return new VcpuExit.Failed("interrupted");
                    }
                }
                kicked = false;
                return new VcpuExit.Kicked();
            }
        }

        @Override
        public synchronized void kick() {
            kicked = true;
            notifyAll();
        }
    }
}
