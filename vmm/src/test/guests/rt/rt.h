/*
 * jvirt payload-guest runtime: a few hundred lines in the spirit of kvm-unit-tests.
 * Guests enter in 64-bit mode with RSI = boot_params (Documentation/arch/x86/boot.rst,
 * "64-bit Boot Protocol"), or through the PVH 32-bit entry (QEMU -kernel), which builds long
 * mode and a boot_params at 0x7000 from hvm_start_info, then joins the 64-bit path.
 */
#ifndef JVIRT_RT_H
#define JVIRT_RT_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long u64;
typedef long i64;
typedef unsigned long uintptr_t;
typedef unsigned long size_t;

#define NULL ((void *)0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* --- boot_params (Documentation/arch/x86/zero-page.rst) --- */
#define BP_ACPI_RSDP_ADDR 0x070 /* u64 */
#define BP_EXT_RAMDISK_IMAGE 0x0c0 /* u32, high half of ramdisk_image */
#define BP_EXT_RAMDISK_SIZE 0x0c4 /* u32, high half of ramdisk_size */
#define BP_EXT_CMD_LINE_PTR 0x0c8 /* u32, high half of cmd_line_ptr */
#define BP_E820_ENTRIES 0x1e8 /* u8 */
#define BP_RAMDISK_IMAGE 0x218 /* u32, setup header */
#define BP_RAMDISK_SIZE 0x21c /* u32, setup header */
#define BP_CMD_LINE_PTR 0x228 /* u32, setup header */
#define BP_CMDLINE_SIZE 0x238 /* u32 */
#define BP_E820_TABLE 0x2d0 /* 128 x struct boot_e820_entry */
#define BP_E820_MAX 128
#define BP_SIZE 4096

struct e820_entry {
	u64 addr;
	u64 size;
	u32 type;
} __attribute__((packed));

/* --- port I/O --- */
static inline void outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outw(u16 port, u16 v) { __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outl(u16 port, u32 v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }
static inline u8 inb(u16 port) { u8 v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline u16 inw(u16 port) { u16 v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline u32 inl(u16 port) { u32 v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static inline u32 mmio_read32(u64 a) { return *(volatile u32 *)a; }
static inline void mmio_write32(u64 a, u32 v) { *(volatile u32 *)a = v; }

static inline u64 rdtsc(void) { u32 lo, hi; __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); return ((u64)hi << 32) | lo; }
static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }
static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline u64 read_cr3(void) { u64 v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline u64 read_flags(void) { u64 f; __asm__ volatile("pushfq; popq %0" : "=r"(f)); return f; }
static inline void barrier(void) { __asm__ volatile("" ::: "memory"); }

/* --- strings --- */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

/* --- serial console (COM1, 16550A; GSI 4) --- */
#define COM1 0x3f8
void serial_init(void);
void serial_putc(char c);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* printf without the console lock: for exception paths only. */
void puts_nolock(const char *s);

/* --- timing: the TSC is assumed to tick at >= 1 GHz, so waits are at least as long --- */
#define TSC_PER_MS 1000000UL
void delay_ms(u64 ms);
/* Spins until *flag != 0 or ms elapse; returns *flag. */
int wait_flag(volatile int *flag, u64 ms);

/* --- interrupts --- */
struct frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss;
};
typedef void (*irq_handler)(struct frame *f);
void idt_init(void); /* loads the IDT on this CPU (first call builds it) */
void set_handler(int vector, irq_handler h);
void pic_mask_all(void);

/* --- LAPIC / IOAPIC (Intel SDM vol. 3 ch. 11; 82093AA datasheet) --- */
#define LAPIC_BASE 0xfee00000UL
#define IOAPIC_BASE_DEFAULT 0xfec00000UL
#define LAPIC_ID 0x020
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
void lapic_enable(void);
u32 lapic_id(void);
void lapic_eoi(void);
u32 lapic_read(u32 reg);
void lapic_write(u32 reg, u32 v);
/* Sends INIT, then SIPI twice, to apic_id; the AP starts at vector << 12. */
void lapic_start_ap(u32 apic_id, u8 vector);
void ioapic_route(u64 ioapic, u32 gsi, u8 vector, u32 dest_apic_id);
void ioapic_route_level(u64 ioapic, u32 gsi, u8 vector, u32 dest_apic_id);
u32 ioapic_read(u64 ioapic, u32 reg);

/* --- ACPI (ACPI 6.5 ch. 5) --- */
struct acpi_header {
	char signature[4];
	u32 length;
	u8 revision;
	u8 checksum;
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	u32 creator_id;
	u32 creator_revision;
} __attribute__((packed));
/* Finds the RSDP (boot_params.acpi_rsdp_addr, else the BIOS areas); 0 if none. */
u64 acpi_rsdp(void);
/* Finds a table by signature through the XSDT (or RSDT); NULL if absent or corrupt. */
struct acpi_header *acpi_find(const char *sig);
struct madt_info {
	int found;
	u32 ioapic_addr;
	u32 ncpus;
	u8 apic_ids[16];
};
void acpi_madt(struct madt_info *m);

/* --- power --- */
/* ACPI S5 through the FADT, else i8042 reset; prints POWEROFF-FAILED if both fail. */
void poweroff(void) __attribute__((noreturn));
void halt_forever(void) __attribute__((noreturn));
/* S5 sleep-type value from the DSDT's \_S5 package; -1 if not found. */
int acpi_s5_type(struct acpi_header *dsdt);

/* --- boot --- */
extern u8 *boot_params; /* set before guest_main runs */
extern int booted_via_pvh;
const char *boot_cmdline(void);
/* The initrd (ramdisk_image/size); *size = 0 and NULL without one. */
const u8 *boot_initrd(u64 *size);
/* Each guest defines this; returning powers the machine off. */
void guest_main(void);

/* --- SMP --- */
/* Copies the real-mode trampoline to 0x8000 and prepares it to enter entry(stack_top). */
void smp_prepare_trampoline(void (*entry)(void), u64 stack_top);
#define TRAMPOLINE_ADDR 0x8000
extern volatile u32 console_lock;

#endif
