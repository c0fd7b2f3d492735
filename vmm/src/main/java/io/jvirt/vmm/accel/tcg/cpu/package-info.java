/**
 * The software x86-64 CPU (QEMU's TCG role), pure Java.
 *
 * <p>Public surface: {@link io.jvirt.vmm.accel.tcg.cpu.CpuCore} (create, load, INIT/SIPI,
 * run in slices) and {@link io.jvirt.vmm.accel.tcg.cpu.InterruptSource} (the local APIC as the
 * CPU sees it). Everything else is package-private:
 * <ul>
 * <li>{@code Decoder} turns bytes into {@code Insn}s; {@code Cpu} groups them into
 *     {@code Block}s (up to 64 instructions, ending at control transfers, state changes or a
 *     page end), cached by guest-physical address and code size, with a second level by
 *     linear address and block chaining, both keyed by the TLB epoch and CPL.</li>
 * <li>{@code CodePages} is shared by all CPUs of one GuestMemory: any CPU write to a page
 *     holding decoded code bumps the page's generation and drops its blocks. <b>Device DMA
 *     into guest RAM bypasses it</b>; a device that writes code pages (virtio-blk reading an
 *     executable) must call the same hook once DMA lands (see CodePages#written).</li>
 * <li>{@code Exec}, {@code ExecTwo}, {@code Bits}, {@code MulDiv}, {@code Strings},
 *     {@code SystemOps}, {@code Protection}, {@code Fpu}/{@code FpuOps}, {@code Sse*} execute;
 *     {@code Alu} computes RFLAGS eagerly, and {@code FlagLiveness} skips flags that a later
 *     instruction of the same block overwrites.</li>
 * <li>{@code Mmu}: paging (32-bit, PAE, 4-level), a 1024-entry TLB, physical dispatch (RAM,
 *     this CPU's LAPIC page, MMIO bus). LOCK'd read-modify-writes are CAS loops
 *     ({@code Atomic}).</li>
 * </ul>
 *
 * <p>Time: the TSC is {@code System.nanoTime()} (1 GHz) plus a per-CPU offset, the convention
 * of the tcg platform's GuestClock; kvmclock is offered (CPUID 0x40000000) so Linux needs no
 * TSC calibration, and TSC-deadline when the APIC owns MSR 0x6e0.
 */
package io.jvirt.vmm.accel.tcg.cpu;
