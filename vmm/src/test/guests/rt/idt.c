/* IDT with one 16-byte stub per vector (isr.S); exceptions print and stop, unexpected
 * interrupts print once and are acknowledged. */
#include "rt.h"

extern char isr_table_start[];
#define STUB_SIZE 16

struct idt_gate {
	u16 off0, sel;
	u8 ist, type;
	u16 off1;
	u32 off2, zero;
} __attribute__((packed));

static struct idt_gate idt[256] __attribute__((aligned(16)));
static irq_handler handlers[256];
static int built;
static volatile int unexpected_seen[256];

void set_handler(int vector, irq_handler h)
{
	handlers[vector & 0xff] = h;
}

void idt_init(void)
{
	if (!built) {
		for (int v = 0; v < 256; v++) {
			u64 a = (u64)isr_table_start + (u64)v * STUB_SIZE;
			idt[v].off0 = (u16)a;
			idt[v].sel = 0x08;
			idt[v].ist = 0;
			idt[v].type = 0x8e; /* present, DPL 0, 64-bit interrupt gate */
			idt[v].off1 = (u16)(a >> 16);
			idt[v].off2 = (u32)(a >> 32);
			idt[v].zero = 0;
		}
		built = 1;
	}
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) d = {sizeof(idt) - 1, (u64)idt};
	__asm__ volatile("lidt %0" ::"m"(d));
}

/* 8259A: mask every line (ports 0x21/0xa1 = OCW1); jvirt's and SeaBIOS's PICs may be live. */
void pic_mask_all(void)
{
	outb(0xa1, 0xff);
	outb(0x21, 0xff);
}

static void hex(char *p, u64 v)
{
	for (int i = 15; i >= 0; i--, v >>= 4)
		p[i] = "0123456789abcdef"[v & 15];
}

void rt_interrupt(struct frame *f)
{
	u64 v = f->vector & 0xff;
	if (handlers[v]) {
		handlers[v](f);
		return;
	}
	if (v < 32) {
		/* no locks here: the fault may have happened while holding the console */
		char msg[] = "\r\nEXCEPTION vector=0x................ error=0x................ rip=0x................\r\n";
		hex(msg + 21, v);
		hex(msg + 46, f->error);
		hex(msg + 69, f->rip);
		puts_nolock(msg);
		halt_forever();
	}
	if (!unexpected_seen[v]) {
		unexpected_seen[v] = 1;
		printf("UNEXPECTED-INTERRUPT vector=0x%x\n", (u32)v);
	}
	if (v != 0xff) /* the spurious vector takes no EOI (SDM 11.9) */
		lapic_eoi();
}
