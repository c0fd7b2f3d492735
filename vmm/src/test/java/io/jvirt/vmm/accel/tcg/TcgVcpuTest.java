package io.jvirt.vmm.accel.tcg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.vmm.accel.AccelVm;
import io.jvirt.vmm.accel.VcpuExit;
import io.jvirt.vmm.accel.tcg.cpu.CpuCore;
import io.jvirt.vmm.accel.tcg.cpu.InterruptSource;
import io.jvirt.vmm.arch.x86_64.X86BootState;
import io.jvirt.vmm.devices.IoBus;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The vCPU loop against a stand-in core that follows the {@link CpuCore} contract (halt until
 * an interrupt is pending, INIT to wait-for-SIPI, SIPI to run), so the loop's waiting, waking,
 * kicking and INIT/SIPI handling are checked without the real decoder.
 */
class TcgVcpuTest {

    /** A core that "executes" by halting after each step; records what the platform did to it. */
    static final class StandInCore implements CpuCore {
        final InterruptSource apic;
        final List<String> log = new CopyOnWriteArrayList<>();
        volatile boolean halted = true;
        volatile boolean tripleFault;
        volatile boolean stop;

        StandInCore(InterruptSource apic) {
            this.apic = apic;
        }

        @Override public void load(X86BootState state) { log.add("load"); halted = false; }
        @Override public void init() { log.add("init"); halted = true; }
        @Override public void startup(int vector) { log.add("sipi " + vector); halted = false; }
        @Override public void requestStop() { stop = true; }
        @Override public boolean halted() { return halted; }
        @Override public long instructionsRetired() { return 0; }

        @Override
        public Stop run(long budget) {
            if (tripleFault) {
                return Stop.TRIPLE_FAULT;
            }
            if (apic.hasInterrupt()) {
                int v = apic.acknowledge();
                if (v >= 0) {
                    log.add("irq " + v);
                    apic.mmioWrite(ApicRegisters.EOI, 4, 0);
                    halted = false;
                }
            }
            if (!halted) {
                halted = true; // "HLT" after each step
            }
            if (stop) {
                stop = false;
                return Stop.BUDGET;
            }
            return Stop.HALTED;
        }
    }

    private final List<StandInCore> cores = new CopyOnWriteArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final TcgVm vm = (TcgVm) TcgAccelerator.withCores((id, mem, pio, mmio, apic) -> {
        StandInCore c = new StandInCore(apic);
        cores.add(c);
        return c;
    }).createVm(null, IoBus.create("pio"), IoBus.create("mmio"), 2);

    @AfterEach
    void close() {
        threads.shutdownNow();
        vm.close();
    }

    private static X86BootState boot() {
        return new X86BootState(0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, null, null, null, null, null, null, null);
    }

    @Test
    void haltedVcpuSleepsUntilKickedAndReturnsKicked() throws Exception {
        vm.reset(boot());
        Future<VcpuExit> exit = threads.submit(() -> vm.vcpu(0).run());
        Thread.sleep(50);
        assertTrue(!exit.isDone(), "halted: still inside run()");
        vm.vcpu(0).kick();
        assertInstanceOf(VcpuExit.Kicked.class, exit.get(2, TimeUnit.SECONDS));
        assertEquals(List.of("load"), cores.get(0).log);
    }

    @Test
    void apicTimerWakesAHaltedVcpu() throws Exception {
        vm.reset(boot());
        LocalApic apic = vm.tcgVcpu(0).apic();
        apic.mmioWrite(ApicRegisters.LVT_TIMER_REG, 4, 0xef);
        apic.mmioWrite(ApicRegisters.DIVIDE_CONFIG, 4, 0xb);
        apic.mmioWrite(ApicRegisters.INITIAL_COUNT, 4, 20_000_000); // 20 ms
        Future<VcpuExit> exit = threads.submit(() -> vm.vcpu(0).run());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (!cores.get(0).log.contains("irq 239") && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(cores.get(0).log.contains("irq 239"), cores.get(0).log.toString());
        vm.vcpu(0).kick();
        exit.get(2, TimeUnit.SECONDS);
    }

    @Test
    void pitThroughIoApicPin2WakesTheBootCpu() throws Exception {
        vm.reset(boot());
        IoApic io = vm.ioapic();
        io.write(IoApic.IOREGSEL, 4, 0x10 + 2 * 2);
        io.write(IoApic.IOWIN, 4, 0x30); // pin 2: edge, physical dest 0, vector 0x30
        vm.irqLine(0).pulse(); // ISA IRQ0 -> IOAPIC pin 2
        assertTrue(vm.tcgVcpu(0).apic().hasInterrupt());
        vm.tcgVcpu(0).apic().acknowledge();
        vm.tcgVcpu(0).apic().mmioWrite(ApicRegisters.EOI, 4, 0);
        vm.irqLine(2).pulse(); // GSI 2 is the same pin
        assertTrue(vm.tcgVcpu(0).apic().hasInterrupt());
    }

    @Test
    void initAndSipiStartTheApplicationProcessor() throws Exception {
        vm.reset(boot());
        Future<VcpuExit> ap = threads.submit(() -> vm.vcpu(1).run());
        Thread.sleep(20);
        LocalApic bsp = vm.tcgVcpu(0).apic();
        bsp.mmioWrite(ApicRegisters.ICR_HIGH, 4, 1L << 24);
        bsp.mmioWrite(ApicRegisters.ICR_LOW, 4, 0xc500);
        bsp.mmioWrite(ApicRegisters.ICR_LOW, 4, 0x4608);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (!cores.get(1).log.contains("sipi 8") && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(List.of("init", "init", "init", "sipi 8"), cores.get(1).log, "created, reset, INIT IPI, SIPI");
        vm.vcpu(1).kick();
        assertInstanceOf(VcpuExit.Kicked.class, ap.get(2, TimeUnit.SECONDS));
    }

    @Test
    void tripleFaultEndsRun() {
        vm.reset(boot());
        cores.get(0).tripleFault = true;
        assertInstanceOf(VcpuExit.TripleFault.class, vm.vcpu(0).run());
    }

    @Test
    void badGsiAndVcpuIndexNameTheRange() {
        AccelVm v = vm;
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> v.irqLine(24));
        assertTrue(e.getMessage().contains("0-23"), e.getMessage());
        var e2 = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> v.vcpu(2));
        assertTrue(e2.getMessage().contains("0-1"), e2.getMessage());
    }
}
