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
 *     holding decoded code bumps the page's generation and drops its blocks (and their
 *     translations). Devices write through {@code DmaMemory} ({@code CpuCore.deviceView}, the
 *     tcg VM's {@code AccelVm.deviceMemory}), which does the same.</li>
 * <li>{@code Exec}, {@code ExecTwo}, {@code Bits}, {@code MulDiv}, {@code Strings},
 *     {@code SystemOps}, {@code Protection}, {@code Fpu}/{@code FpuOps}, {@code Sse*} execute;
 *     {@code Alu} computes RFLAGS eagerly, and {@code FlagLiveness} skips flags that a later
 *     instruction of the same block overwrites.</li>
 * <li>{@code Mmu}: paging (32-bit, PAE, 4-level), a 1024-entry TLB, physical dispatch (RAM,
 *     this CPU's LAPIC page, MMIO bus). LOCK'd read-modify-writes are CAS loops
 *     ({@code Atomic}).</li>
 * <li><b>Translation</b> (decode / translate / execute): {@code Jit} counts entries per
 *     cached 64-bit-mode block; at {@code jvirt.tcg.jit.threshold} (default 2000) it collects a
 *     {@code Region} on the vCPU thread (the block plus the blocks it reaches by direct branches
 *     without leaving its physical page, addressed by offset from the entry, so any linear
 *     mapping of the page can run it) and hands it to one background thread. {@code Translator}
 *     emits one hidden class per region with java.lang.classfile: a label per block, branches
 *     inside the region as JVM jumps (backward ones counted, so control returns to the run loop
 *     for interrupts after 256), {@code Forms} it can inline as bytecode ({@code DataEmitter}:
 *     moves, ALU with lazy flags ({@code Cpu.ccOp}, settled when RFLAGS is read, before the
 *     interpreter runs and before a fault or interrupt is delivered), compare-and-branch fused
 *     by {@code FlagFusion}, bare results when {@code FlagLiveness} found the flags dead,
 *     shifts and rotates, multiplies, CMOV/SETcc, push/pop/call/ret/jmp/Jcc)
 *     and everything else as a call to the interpreter ({@code JitRuntime.step}). Memory goes
 *     through {@code Mmu}'s TLB fast paths; an exception leaving the region passes a handler
 *     that sets {@code curRip} to the instruction it came from (a local, CUR, says which), so a
 *     fault is precise; a store into decoded code ends the region after that
 *     instruction. An exit (a branch to another page, the return point of such a call, an
 *     interpreted indirect branch) calls the next translation directly while the link the run loop recorded for it holds
 *     ({@code Translated}: same address, TLB epoch, CPL and no code written since). The
 *     translation hangs off the entry
 *     {@code Block}, so it dies with the
 *     page's generation. HotSpot compiles the class with C1 alone ({@code HotSpotTiers}); a
 *     region that keeps running is translated again as a class C2 may compile (two tiers,
 *     see {@code Jit}). {@code -Djvirt.tcg.jit=off} runs
 *     the interpreter alone; threshold 0 translates every block on first use, synchronously
 *     (the differential test runs that way against QEMU).</li>
 * </ul>
 *
 * <p>Time: the TSC is {@code System.nanoTime()} (1 GHz) plus a per-CPU offset, the convention
 * of the tcg platform's GuestClock; kvmclock is offered (CPUID 0x40000000) so Linux needs no
 * TSC calibration, and TSC-deadline when the APIC owns MSR 0x6e0.
 */
package io.jvirt.vmm.accel.tcg.cpu;
