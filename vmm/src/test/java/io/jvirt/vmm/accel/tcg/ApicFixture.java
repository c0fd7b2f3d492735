package io.jvirt.vmm.accel.tcg;

import java.util.ArrayList;
import java.util.List;

/** N local APICs on one bus with an IOAPIC, a PIC and a timer thread: the platform minus the CPUs. */
final class ApicFixture implements AutoCloseable {

    final PlatformTimers timers = new PlatformTimers("test-timers");
    final ApicBus bus = new ApicBus();
    final Pic pic = new Pic();
    final IoApic ioapic = new IoApic(bus);
    final List<LocalApic> apics = new ArrayList<>();
    final List<Doorbell> bells = new ArrayList<>();

    ApicFixture(int cpus) {
        bus.onEoi(ioapic::endOfInterrupt);
        for (int i = 0; i < cpus; i++) {
            Doorbell bell = new Doorbell();
            LocalApic a = new LocalApic(i, bus, pic, timers, io.jvirt.vmm.accel.tcg.cpu.CpuCore::tsc, bell);
            bus.attach(a);
            apics.add(a);
            bells.add(bell);
        }
        pic.onChange(() -> bus.apics().forEach(LocalApic::picChanged));
    }

    LocalApic apic(int i) {
        return apics.get(i);
    }

    /** xAPIC register write through the MMIO page. */
    void write(int cpu, int reg, int value) {
        apic(cpu).mmioWrite(reg, 4, Integer.toUnsignedLong(value));
    }

    int read(int cpu, int reg) {
        return (int) apic(cpu).mmioRead(reg, 4);
    }

    /** Software-enables every APIC (SVR bit 8, spurious vector 0xff). */
    ApicFixture enableAll() {
        for (int i = 0; i < apics.size(); i++) {
            write(i, ApicRegisters.SVR, 0x1ff);
        }
        return this;
    }

    @Override
    public void close() {
        timers.close();
    }
}
