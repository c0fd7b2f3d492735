package io.jvirt.vmm.accel.tcg;

import io.jvirt.vmm.accel.Vcpu;
import io.jvirt.vmm.accel.VcpuExit;
import io.jvirt.vmm.accel.tcg.cpu.CpuCore;
import io.jvirt.vmm.arch.x86_64.X86BootState;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A software vCPU: the {@link CpuCore} with its {@link LocalApic}, run on the caller's
 * (platform) thread in slices of {@link #SLICE} instructions.
 *
 * <p>What differs from KVM: there, KVM_RUN executes until an exit and the kernel parks a
 * halted vCPU until its in-kernel LAPIC has something; a kick is a signal plus
 * immediate_exit. Here the loop is ours: between slices it applies INIT and SIPI (which only
 * the vCPU thread may do to its CPU), and while the CPU is halted (HLT or wait-for-SIPI) it
 * sleeps on the APIC's {@link Doorbell} until an interrupt, NMI, INIT/SIPI or kick rings it.
 * The doorbell generation is sampled before each slice, so an event that arrives while the
 * slice decides to halt is never slept through.
 */
final class TcgVcpu implements Vcpu {

    /**
     * Instructions per run slice; kicks and INIT/SIPI end a slice early through requestStop (a
     * request made between our checks and the core's run() ends the next slice at once).
     */
    static final long SLICE = 250_000;
    /** Upper bound on one halted wait; the loop re-checks the CPU after it (belt and braces). */
    private static final long HALT_WAIT_NANOS = Doorbell.millis(100);

    private static final VcpuExit.Kicked KICKED = new VcpuExit.Kicked();

    private final int index;
    private final CpuCore cpu;
    private final LocalApic apic;
    private final Doorbell bell;
    private final AtomicBoolean kicked = new AtomicBoolean();

    TcgVcpu(int index, CpuCore cpu, LocalApic apic, Doorbell bell) {
        this.index = index;
        this.cpu = cpu;
        this.apic = apic;
        this.bell = bell;
    }

    @Override
    public int index() {
        return index;
    }

    LocalApic apic() {
        return apic;
    }

    CpuCore cpu() {
        return cpu;
    }

    @Override
    public VcpuExit run() {
        while (true) {
            if (kicked.getAndSet(false)) {
                return KICKED;
            }
            long seen = bell.generation();
            if (apic.takeInit()) {
                cpu.init();
            }
            int sipi = apic.takeStartup();
            if (sipi >= 0) {
                cpu.startup(sipi);
            }
            BackgroundThreads.keepBehind();
            CpuCore.Stop stop;
            try {
                stop = cpu.run(SLICE);
            } catch (RuntimeException e) {
                return new VcpuExit.Failed("tcg vCPU " + index + ": CPU core failed: " + e);
            }
            switch (stop) {
                case BUDGET -> { }
                case TRIPLE_FAULT -> {
                    return new VcpuExit.TripleFault("tcg vCPU " + index + ": triple fault; " + apic.describe());
                }
                case HALTED -> {
                    if (!kicked.get()) {
                        bell.await(seen, HALT_WAIT_NANOS);
                    }
                }
            }
        }
    }

    @Override
    public void kick() {
        kicked.set(true);
        bell.ringUrgent();
    }

    /**
     * Machine reset, while no thread is inside {@link #run()}: the boot CPU loads {@code boot}
     * with its APIC in virtual-wire mode (what firmware would have left); the others INIT and
     * wait for SIPI.
     */
    void reset(X86BootState boot) {
        boolean bsp = index == 0;
        apic.reset(bsp, bsp);
        if (bsp) {
            cpu.load(boot);
        } else {
            cpu.init();
        }
    }
}
