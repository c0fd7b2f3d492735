package io.jvirt.vmm.accel.tcg.cpu;

import io.jvirt.vmm.arch.x86_64.Segment;
import io.jvirt.vmm.arch.x86_64.X86BootState;
import io.jvirt.vmm.devices.BusDevice;
import io.jvirt.vmm.devices.IoBus;
import java.io.ByteArrayOutputStream;

/**
 * A minimal test machine: 16 MiB of RAM, the LAYOUT.md 64-bit boot state (GDT at 0x500,
 * identity map with 2 MiB pages at 0x9000), code at 0x100000, a debug port 0xe9 that collects
 * bytes, and an interrupt source that can inject one vector.
 */
final class Machine {
    static final long CODE = 0x100000;
    static final long STACK = 0x80000;

    final io.jvirt.vmm.arch.x86_64.firmware.TestGuestMemory memory = new io.jvirt.vmm.arch.x86_64.firmware.TestGuestMemory(0, 16 << 20);
    final IoBus pio = IoBus.create("pio");
    final IoBus mmio = IoBus.create("mmio");
    final ByteArrayOutputStream debug = new ByteArrayOutputStream();
    final TestInterrupts irq = new TestInterrupts();
    final Cpu cpu;

    Machine() {
        this(Integer.MIN_VALUE);
    }

    /** A machine whose CPU translates blocks after {@code jitThreshold} entries (0: at once; -1: never). */
    Machine(int jitThreshold) {
        this(jitThreshold == Integer.MIN_VALUE ? Jit.fromProperties() : Jit.of(jitThreshold));
    }

    /** A machine whose CPU follows translation policy {@code jit} (null: the interpreter only). */
    Machine(Jit jit) {
        pio.register(0xe9, 1, new BusDevice() {
            @Override public long read(long offset, int size) { return 0xe9; }
            @Override public void write(long offset, int size, long value) { debug.write((int) value); }
        });
        cpu = new Cpu(0, memory, pio, mmio, irq, jit);
        // GDT: null, null, 0x10 code64, 0x18 data, 0x20 code32, 0x28 code16, 0x30 data16
        long[] gdt = {0, 0, 0x00af9b000000ffffL, 0x00cf93000000ffffL, 0x00cf9b000000ffffL, 0x00009b000000ffffL,
                0x000093000000ffffL, 0x00affb000000ffffL, 0x00cff3000000ffffL};
        for (int i = 0; i < gdt.length; i++) {
            memory.writeLong(0x500 + 8L * i, gdt[i]);
        }
        memory.writeLong(0x9000, 0xa000 | 0x7); // PML4 -> PDPT, user allowed
        for (int i = 0; i < 4; i++) {
            memory.writeLong(0xa000 + 8L * i, (0xb000 + 0x1000L * i) | 0x7);
            for (int j = 0; j < 512; j++) {
                long pa = ((long) i << 30) | ((long) j << 21);
                memory.writeLong(0xb000 + 0x1000L * i + 8L * j, pa | 0x87);
            }
        }
    }

    /** Maps the 2 MiB at {@code pdIndex} (identity) with a 4 KiB page table at {@code pt}, flags P|RW|US. */
    void split2M(int pdIndex, long pt) {
        for (int i = 0; i < 512; i++) {
            memory.writeLong(pt + 8L * i, (((long) pdIndex << 21) + ((long) i << 12)) | 0x7);
        }
        memory.writeLong(0xb000 + 8L * pdIndex, pt | 0x7);
    }

    /** The PTE of 4 KiB page {@code va} after {@link #split2M}. */
    long pteAddress(long va, long pt) {
        return pt + ((va >>> 12) & 511) * 8;
    }

    /**
     * Runs the program {@code source} builds around the guest code it is given, which maps the
     * 4 KiB page {@code page} (identity-mapped, in the first 2 MiB) to a copy of itself with
     * byte {@code offset} set to {@code value} and flushes it from the TLB: the program runs on
     * until HLT, and a stale translation or TLB entry shows up as the old byte's effect.
     */
    Cpu runRemapping(java.util.function.UnaryOperator<String> source, long page, int offset, byte value) {
        long pageTable = 0x30000, copy = 0x400000;
        split2M(0, pageTable);
        byte[] code = Asm.assemble(source.apply("movq $" + (copy | 7) + ", " + pteAddress(page, pageTable)
                + "\ninvlpg " + page));
        load(code);
        int from = (int) (page - CODE);
        byte[] bytes = new byte[4096];
        System.arraycopy(code, from, bytes, 0, Math.min(4096, code.length - from));
        bytes[offset] = value;
        memory.write(copy, bytes);
        cpu.load(bootState());
        return runToHalt();
    }

    void load(byte[] code) {
        memory.write(CODE, code);
    }

    X86BootState bootState() {
        return new X86BootState(CODE, STACK, 0x7000, 2,
                0x80050033L, 0x9000, 0x6a0, 0x500 | 0x800, 0x500, 8 * 9 - 1, 0, 0,
                Segment.code64(0x10), Segment.flatData(0x18), Segment.flatData(0x18), Segment.flatData(0x18),
                Segment.flatData(0x18), Segment.flatData(0x18), Segment.tss(0, 0, 0xffff));
    }

    /** Assembles {@code source} (64-bit), runs it from the boot state until HLT. */
    Cpu run64(String source) {
        load(Asm.assemble(".code64\n" + source + "\nhlt\n"));
        cpu.load(bootState());
        return runToHalt();
    }

    Cpu runToHalt() {
        for (int i = 0; i < 10_000; i++) {
            CpuCore.Stop s = cpu.run(1_000_000);
            if (s == CpuCore.Stop.HALTED) {
                return cpu;
            }
            if (s == CpuCore.Stop.TRIPLE_FAULT) {
                throw new AssertionError("triple fault at rip 0x" + Long.toHexString(cpu.rip));
            }
        }
        throw new AssertionError("did not halt, rip 0x" + Long.toHexString(cpu.rip));
    }

    String debugOutput() {
        return debug.toString();
    }

    /** An interrupt source with no APIC page but a TSC deadline; tests raise a vector or an NMI by hand. */
    static final class TestInterrupts implements InterruptSource {
        volatile int pending = -1;
        volatile boolean nmi;
        /** IA32_TSC_DEADLINE (SDM vol. 4 table 2-2), kept but never fired. */
        static final int TSC_DEADLINE = 0x6e0;
        volatile long deadline;
        /** The TPR that CR8 reads and writes; this source does not mask by it. */
        volatile int tpr;

        @Override public boolean hasInterrupt() { return pending >= 0; }
        @Override public int taskPriority() { return tpr; }
        @Override public void setTaskPriority(int tpr) { this.tpr = tpr & 0xff; }

        @Override
        public int acknowledge() {
            int v = pending;
            pending = -1;
            return v;
        }

        @Override
        public boolean takeNmi() {
            boolean n = nmi;
            nmi = false;
            return n;
        }

        @Override public long mmioBase() { return -1; }
        @Override public long mmioRead(int offset, int size) { return 0; }
        @Override public void mmioWrite(int offset, int size, long value) { }
        @Override public boolean ownsMsr(int msr) { return msr == TSC_DEADLINE; }
        @Override public long readMsr(int msr) { return deadline; }
        @Override public void writeMsr(int msr, long value) { deadline = value; }
    }
}
