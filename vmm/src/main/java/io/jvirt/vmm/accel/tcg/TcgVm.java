package io.jvirt.vmm.accel.tcg;

import io.jvirt.vmm.accel.AccelVm;
import io.jvirt.vmm.accel.Vcpu;
import io.jvirt.vmm.accel.tcg.cpu.CpuCore;
import io.jvirt.vmm.arch.x86_64.X86BootState;
import io.jvirt.vmm.devices.IoBus;
import io.jvirt.vmm.devices.IrqLine;
import io.jvirt.vmm.memory.GuestMemory;
import java.util.ArrayList;
import java.util.List;

/**
 * A VM on the software CPU: its vCPUs and the PC interrupt/timer platform that KVM would keep
 * in the kernel (KVM_CREATE_IRQCHIP, KVM_CREATE_PIT2): one {@link LocalApic} per vCPU, the
 * {@link IoApic} on the machine's MMIO bus at 0xfec00000, the {@link Pic} pair with ELCR and the
 * {@link Pit} with port 0x61 on its port bus, and one {@link PlatformTimers} thread for the PIT
 * and LAPIC timers. GSI routing follows the MADT the firmware builds: ISA IRQ n is GSI n on
 * IOAPIC pin n, except IRQ0 (PIT) which the interrupt source override sends to pin 2, as on
 * QEMU's pc machine.
 */
final class TcgVm implements AccelVm {

    /** ISA IRQ0 arrives at IOAPIC pin 2 (MADT Interrupt Source Override, ACPI 6.5 §5.2.12.5). */
    static final int PIT_IOAPIC_PIN = 2;
    static final int ISA_IRQS = 16;

    private final PlatformTimers timers;
    private final ApicBus bus = new ApicBus();
    private final IoApic ioapic;
    private final Pic pic = new Pic();
    private final Pit pit;
    private final List<TcgVcpu> vcpus = new ArrayList<>();
    private final IrqLine[] lines = new IrqLine[IoApic.PINS];

    TcgVm(GuestMemory memory, IoBus pio, IoBus mmio, int count, TcgAccelerator.CoreFactory cores) {
        timers = new PlatformTimers("tcg-timers");
        ioapic = new IoApic(bus);
        bus.onEoi(ioapic::endOfInterrupt);
        for (int gsi = 0; gsi < lines.length; gsi++) {
            lines[gsi] = line(gsi);
        }
        pit = new Pit(timers, lines[0]);
        java.util.function.LongSupplier tsc = TcgAccelerator.tscSource();
        try {
            for (int i = 0; i < count; i++) {
                Doorbell bell = new Doorbell();
                LocalApic apic = new LocalApic(i, bus, pic, timers, tsc, bell);
                bus.attach(apic);
                CpuCore cpu = cores.create(i, memory, pio, mmio, apic);
                bell.onUrgent(cpu::requestStop);
                vcpus.add(new TcgVcpu(i, cpu, apic, bell));
                if (i > 0) {
                    cpu.init();
                }
            }
            pic.onChange(() -> bus.apics().forEach(LocalApic::picChanged));
            pic.register(pio);
            pit.register(pio);
            mmio.register(IoApic.BASE, IoApic.SIZE, ioapic);
        } catch (RuntimeException e) {
            timers.close();
            throw e;
        }
    }

    private IrqLine line(int gsi) {
        if (gsi == 0) {
            return high -> {
                pic.setIrq(0, high);
                ioapic.setLevel(PIT_IOAPIC_PIN, high);
            };
        }
        if (gsi == PIT_IOAPIC_PIN) {
            return high -> ioapic.setLevel(PIT_IOAPIC_PIN, high); // PIC IRQ2 is the cascade
        }
        if (gsi < ISA_IRQS) {
            return high -> {
                pic.setIrq(gsi, high);
                ioapic.setLevel(gsi, high);
            };
        }
        return high -> ioapic.setLevel(gsi, high);
    }

    @Override
    public GuestMemory deviceMemory(GuestMemory memory) {
        return CpuCore.deviceView(memory);
    }

    @Override
    public IrqLine irqLine(int gsi) {
        if (gsi < 0 || gsi >= lines.length) {
            throw new IllegalArgumentException("tcg: GSI " + gsi + " does not exist; the IOAPIC has inputs 0-"
                    + (lines.length - 1));
        }
        return lines[gsi];
    }

    @Override
    public Vcpu vcpu(int index) {
        if (index < 0 || index >= vcpus.size()) {
            throw new IllegalArgumentException("tcg: vCPU " + index + " does not exist; this VM has vCPUs 0-"
                    + (vcpus.size() - 1));
        }
        return vcpus.get(index);
    }

    @Override
    public int vcpuCount() {
        return vcpus.size();
    }

    @Override
    public void reset(X86BootState boot) {
        pic.reset();
        pit.reset();
        ioapic.reset();
        for (TcgVcpu v : vcpus) {
            v.reset(boot);
        }
    }

    @Override
    public void close() {
        timers.close();
    }

    // For tests in this package.
    Pic pic() {
        return pic;
    }

    Pit pit() {
        return pit;
    }

    IoApic ioapic() {
        return ioapic;
    }

    TcgVcpu tcgVcpu(int index) {
        return vcpus.get(index);
    }
}
