package io.jvirt.sys;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.MemoryLayout.unionLayout;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * Mirrors of the KVM structs of <linux/kvm.h> and <asm/kvm.h> (x86-64). Member names are
 * the C field names; anonymous unions are unnamed. SysLayoutTest checks every offset and
 * size against gcc's.
 */
final class KvmLayouts {

    private KvmLayouts() {
    }

    private static MemoryLayout u8(String n) { return JAVA_BYTE.withName(n); }
    private static MemoryLayout u16(String n) { return JAVA_SHORT.withName(n); }
    private static MemoryLayout u32(String n) { return JAVA_INT.withName(n); }
    private static MemoryLayout u64(String n) { return JAVA_LONG.withName(n); }

    /*
     * struct kvm_regs {
     *     __u64 rax, rbx, rcx, rdx;
     *     __u64 rsi, rdi, rsp, rbp;
     *     __u64 r8,  r9,  r10, r11;
     *     __u64 r12, r13, r14, r15;
     *     __u64 rip, rflags;
     * };
     */
    static final StructLayout KVM_REGS = structLayout(
            u64("rax"), u64("rbx"), u64("rcx"), u64("rdx"),
            u64("rsi"), u64("rdi"), u64("rsp"), u64("rbp"),
            u64("r8"), u64("r9"), u64("r10"), u64("r11"),
            u64("r12"), u64("r13"), u64("r14"), u64("r15"),
            u64("rip"), u64("rflags")).withName("kvm_regs");

    /*
     * struct kvm_segment {
     *     __u64 base;
     *     __u32 limit;
     *     __u16 selector;
     *     __u8  type;
     *     __u8  present, dpl, db, s, l, g, avl;
     *     __u8  unusable;
     *     __u8  padding;
     * };
     */
    static final StructLayout KVM_SEGMENT = structLayout(
            u64("base"), u32("limit"), u16("selector"), u8("type"),
            u8("present"), u8("dpl"), u8("db"), u8("s"), u8("l"), u8("g"), u8("avl"),
            u8("unusable"), u8("padding")).withName("kvm_segment");

    /*
     * struct kvm_dtable {
     *     __u64 base;
     *     __u16 limit;
     *     __u16 padding[3];
     * };
     */
    static final StructLayout KVM_DTABLE = structLayout(
            u64("base"), u16("limit"), sequenceLayout(3, JAVA_SHORT).withName("padding")).withName("kvm_dtable");

    /*
     * struct kvm_sregs {
     *     struct kvm_segment cs, ds, es, fs, gs, ss;
     *     struct kvm_segment tr, ldt;
     *     struct kvm_dtable gdt, idt;
     *     __u64 cr0, cr2, cr3, cr4, cr8;
     *     __u64 efer;
     *     __u64 apic_base;
     *     __u64 interrupt_bitmap[(KVM_NR_INTERRUPTS + 63) / 64];   // KVM_NR_INTERRUPTS = 256
     * };
     */
    static final StructLayout KVM_SREGS = structLayout(
            KVM_SEGMENT.withName("cs"), KVM_SEGMENT.withName("ds"), KVM_SEGMENT.withName("es"),
            KVM_SEGMENT.withName("fs"), KVM_SEGMENT.withName("gs"), KVM_SEGMENT.withName("ss"),
            KVM_SEGMENT.withName("tr"), KVM_SEGMENT.withName("ldt"),
            KVM_DTABLE.withName("gdt"), KVM_DTABLE.withName("idt"),
            u64("cr0"), u64("cr2"), u64("cr3"), u64("cr4"), u64("cr8"),
            u64("efer"), u64("apic_base"),
            sequenceLayout(4, JAVA_LONG).withName("interrupt_bitmap")).withName("kvm_sregs");

    /** The segment members of kvm_sregs, in declaration order. */
    static final String[] SREGS_SEGMENTS = {"cs", "ds", "es", "fs", "gs", "ss", "tr", "ldt"};

    /*
     * struct kvm_fpu {
     *     __u8  fpr[8][16];
     *     __u16 fcw;
     *     __u16 fsw;
     *     __u8  ftwx;  // in fxsave format
     *     __u8  pad1;
     *     __u16 last_opcode;
     *     __u64 last_ip;
     *     __u64 last_dp;
     *     __u8  xmm[16][16];
     *     __u32 mxcsr;
     *     __u32 pad2;
     * };
     */
    static final StructLayout KVM_FPU = structLayout(
            sequenceLayout(128, JAVA_BYTE).withName("fpr"), u16("fcw"), u16("fsw"), u8("ftwx"), u8("pad1"),
            u16("last_opcode"), u64("last_ip"), u64("last_dp"),
            sequenceLayout(256, JAVA_BYTE).withName("xmm"), u32("mxcsr"), u32("pad2")).withName("kvm_fpu");

    /*
     * struct kvm_msr_entry {
     *     __u32 index;
     *     __u32 reserved;
     *     __u64 data;
     * };
     */
    static final StructLayout KVM_MSR_ENTRY = structLayout(
            u32("index"), u32("reserved"), u64("data")).withName("kvm_msr_entry");

    /*
     * struct kvm_msrs {
     *     __u32 nmsrs; // number of msrs in entries
     *     __u32 pad;
     *     struct kvm_msr_entry entries[];
     * };
     */
    static final StructLayout KVM_MSRS = structLayout(u32("nmsrs"), u32("pad")).withName("kvm_msrs");

    /*
     * struct kvm_msr_list {
     *     __u32 nmsrs; // number of msrs in entries
     *     __u32 indices[];
     * };
     */
    static final StructLayout KVM_MSR_LIST = structLayout(u32("nmsrs")).withName("kvm_msr_list");

    /*
     * struct kvm_cpuid_entry2 {
     *     __u32 function;
     *     __u32 index;
     *     __u32 flags;
     *     __u32 eax;
     *     __u32 ebx;
     *     __u32 ecx;
     *     __u32 edx;
     *     __u32 padding[3];
     * };
     */
    static final StructLayout KVM_CPUID_ENTRY2 = structLayout(
            u32("function"), u32("index"), u32("flags"), u32("eax"), u32("ebx"), u32("ecx"), u32("edx"),
            sequenceLayout(3, JAVA_INT).withName("padding")).withName("kvm_cpuid_entry2");

    /*
     * struct kvm_cpuid2 {
     *     __u32 nent;
     *     __u32 padding;
     *     struct kvm_cpuid_entry2 entries[];
     * };
     */
    static final StructLayout KVM_CPUID2 = structLayout(u32("nent"), u32("padding")).withName("kvm_cpuid2");

    /*
     * #define KVM_APIC_REG_SIZE 0x400
     * struct kvm_lapic_state {
     *     char regs[KVM_APIC_REG_SIZE];
     * };
     */
    static final StructLayout KVM_LAPIC_STATE = structLayout(
            sequenceLayout(0x400, JAVA_BYTE).withName("regs")).withName("kvm_lapic_state");

    /*
     * struct kvm_mp_state {
     *     __u32 mp_state;
     * };
     */
    static final StructLayout KVM_MP_STATE = structLayout(u32("mp_state")).withName("kvm_mp_state");

    /*
     * struct kvm_userspace_memory_region {
     *     __u32 slot;
     *     __u32 flags;
     *     __u64 guest_phys_addr;
     *     __u64 memory_size; // bytes
     *     __u64 userspace_addr; // start of the userspace allocated memory
     * };
     */
    static final StructLayout KVM_USERSPACE_MEMORY_REGION = structLayout(
            u32("slot"), u32("flags"), u64("guest_phys_addr"), u64("memory_size"),
            u64("userspace_addr")).withName("kvm_userspace_memory_region");

    /*
     * struct kvm_irq_level {
     *     union {
     *         __u32 irq;
     *         __s32 status;
     *     };
     *     __u32 level;
     * };
     */
    static final StructLayout KVM_IRQ_LEVEL = structLayout(
            unionLayout(u32("irq"), u32("status")), u32("level")).withName("kvm_irq_level");

    /*
     * struct kvm_irqfd {
     *     __u32 fd;
     *     __u32 gsi;
     *     __u32 flags;
     *     __u32 resamplefd;
     *     __u8  pad[16];
     * };
     */
    static final StructLayout KVM_IRQFD = structLayout(
            u32("fd"), u32("gsi"), u32("flags"), u32("resamplefd"),
            sequenceLayout(16, JAVA_BYTE).withName("pad")).withName("kvm_irqfd");

    /*
     * struct kvm_ioeventfd {
     *     __u64 datamatch;
     *     __u64 addr;        // legal pio/mmio address
     *     __u32 len;         // 0, 1, 2, 4, or 8 bytes
     *     __s32 fd;
     *     __u32 flags;
     *     __u8  pad[36];
     * };
     */
    static final StructLayout KVM_IOEVENTFD = structLayout(
            u64("datamatch"), u64("addr"), u32("len"), u32("fd"), u32("flags"),
            sequenceLayout(36, JAVA_BYTE).withName("pad")).withName("kvm_ioeventfd");

    /*
     * struct kvm_pit_config {
     *     __u32 flags;
     *     __u32 pad[15];
     * };
     */
    static final StructLayout KVM_PIT_CONFIG = structLayout(
            u32("flags"), sequenceLayout(15, JAVA_INT).withName("pad")).withName("kvm_pit_config");

    /*
     * struct kvm_irqchip {
     *     __u32 chip_id;       // KVM_IRQCHIP_PIC_MASTER 0, KVM_IRQCHIP_PIC_SLAVE 1, KVM_IRQCHIP_IOAPIC 2
     *     __u32 pad;
     *     union {
     *         char dummy[512];  // reserving space
     *         struct kvm_pic_state pic;
     *         struct kvm_ioapic_state ioapic;
     *     } chip;
     * };
     * The chip state is kept opaque: jvirt saves and restores it whole.
     */
    static final StructLayout KVM_IRQCHIP = structLayout(
            u32("chip_id"), u32("pad"),
            unionLayout(sequenceLayout(512, JAVA_BYTE).withName("dummy")).withName("chip")).withName("kvm_irqchip");

    /*
     * struct kvm_pit_channel_state {
     *     __u32 count; // can be 65536
     *     __u16 latched_count;
     *     __u8 count_latched;
     *     __u8 status_latched;
     *     __u8 status;
     *     __u8 read_state;
     *     __u8 write_state;
     *     __u8 write_latch;
     *     __u8 rw_mode;
     *     __u8 mode;
     *     __u8 bcd;
     *     __u8 gate;
     *     __s64 count_load_time;
     * };
     */
    static final StructLayout KVM_PIT_CHANNEL_STATE = structLayout(
            u32("count"), u16("latched_count"), u8("count_latched"), u8("status_latched"), u8("status"),
            u8("read_state"), u8("write_state"), u8("write_latch"), u8("rw_mode"), u8("mode"), u8("bcd"), u8("gate"),
            u64("count_load_time")).withName("kvm_pit_channel_state");

    /*
     * struct kvm_pit_state2 {
     *     struct kvm_pit_channel_state channels[3];
     *     __u32 flags;
     *     __u32 reserved[9];
     * };
     */
    static final StructLayout KVM_PIT_STATE2 = structLayout(
            sequenceLayout(3, KVM_PIT_CHANNEL_STATE).withName("channels"), u32("flags"),
            sequenceLayout(9, JAVA_INT).withName("reserved")).withName("kvm_pit_state2");

    /*
     * struct kvm_vcpu_events {
     *     struct { __u8 injected; __u8 nr; __u8 has_error_code; __u8 pending; __u32 error_code; } exception;
     *     struct { __u8 injected; __u8 nr; __u8 soft; __u8 shadow; } interrupt;
     *     struct { __u8 injected; __u8 pending; __u8 masked; __u8 pad; } nmi;
     *     __u32 sipi_vector;
     *     __u32 flags;
     *     struct { __u8 smm; __u8 pending; __u8 smm_inside_nmi; __u8 latched_init; } smi;
     *     struct { __u8 pending; } triple_fault;
     *     __u8 reserved[26];
     *     __u8 exception_has_payload;
     *     __u64 exception_payload;
     * };
     */
    static final StructLayout KVM_VCPU_EVENTS = structLayout(
            structLayout(u8("injected"), u8("nr"), u8("has_error_code"), u8("pending"), u32("error_code")).withName("exception"),
            structLayout(u8("injected"), u8("nr"), u8("soft"), u8("shadow")).withName("interrupt"),
            structLayout(u8("injected"), u8("pending"), u8("masked"), u8("pad")).withName("nmi"),
            u32("sipi_vector"), u32("flags"),
            structLayout(u8("smm"), u8("pending"), u8("smm_inside_nmi"), u8("latched_init")).withName("smi"),
            structLayout(u8("pending")).withName("triple_fault"),
            sequenceLayout(26, JAVA_BYTE).withName("reserved"), u8("exception_has_payload"),
            u64("exception_payload")).withName("kvm_vcpu_events");

    /*
     * struct kvm_run {
     *     __u8 request_interrupt_window;
     *     __u8 immediate_exit;
     *     __u8 padding1[6];
     *     __u32 exit_reason;
     *     __u8 ready_for_interrupt_injection;
     *     __u8 if_flag;
     *     __u16 flags;
     *     __u64 cr8;
     *     __u64 apic_base;
     *     union {
     *         struct { __u64 hardware_exit_reason; } hw;                          // KVM_EXIT_UNKNOWN
     *         struct { __u64 hardware_entry_failure_reason; __u32 cpu; } fail_entry;
     *         struct { __u32 exception; __u32 error_code; } ex;                   // KVM_EXIT_EXCEPTION
     *         struct { __u8 direction; __u8 size; __u16 port; __u32 count;
     *                  __u64 data_offset; } io;                                   // KVM_EXIT_IO
     *         struct { __u64 phys_addr; __u8 data[8]; __u32 len; __u8 is_write; } mmio;
     *         struct { __u32 suberror; __u32 ndata; __u64 data[16]; } internal;   // KVM_EXIT_INTERNAL_ERROR
     *         struct { __u32 type; __u32 ndata;
     *                  union { __u64 flags; __u64 data[16]; }; } system_event;    // KVM_EXIT_SYSTEM_EVENT
     *         ...
     *         char padding[256];
     *     };
     *     __u64 kvm_valid_regs;
     *     __u64 kvm_dirty_regs;
     *     union { struct kvm_sync_regs regs; char padding[SYNC_REGS_SIZE_BYTES]; } s;  // not mirrored
     * };
     * Only the members jvirt reads are mirrored; the struct is mmap'd, KVM_GET_VCPU_MMAP_SIZE long.
     */
    static final StructLayout KVM_RUN = structLayout(
            u8("request_interrupt_window"), u8("immediate_exit"), sequenceLayout(6, JAVA_BYTE).withName("padding1"),
            u32("exit_reason"), u8("ready_for_interrupt_injection"), u8("if_flag"), u16("flags"),
            u64("cr8"), u64("apic_base"),
            unionLayout(
                    structLayout(u64("hardware_exit_reason")).withName("hw"),
                    structLayout(u64("hardware_entry_failure_reason"), u32("cpu"), paddingLayout(4))
                            .withName("fail_entry"),
                    structLayout(u32("exception"), u32("error_code")).withName("ex"),
                    structLayout(u8("direction"), u8("size"), u16("port"), u32("count"), u64("data_offset"))
                            .withName("io"),
                    structLayout(u64("phys_addr"), sequenceLayout(8, JAVA_BYTE).withName("data"), u32("len"),
                            u8("is_write"), paddingLayout(3)).withName("mmio"),
                    structLayout(u32("suberror"), u32("ndata"), sequenceLayout(16, JAVA_LONG).withName("data"))
                            .withName("internal"),
                    structLayout(u32("type"), u32("ndata"),
                            unionLayout(u64("flags"), sequenceLayout(16, JAVA_LONG).withName("data")))
                            .withName("system_event"),
                    sequenceLayout(256, JAVA_BYTE).withName("padding")),
            u64("kvm_valid_regs"), u64("kvm_dirty_regs")).withName("kvm_run");
}
