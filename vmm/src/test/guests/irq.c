/*
 * irq: routes COM1 (GSI 4) through the IOAPIC to the LAPIC, enables the UART's THRE and
 * received-data interrupts (16550A IER bits 1 and 0) and takes both. The handler reads IIR
 * (bits 3-1: 001 THRE, 010 received data, 110 character timeout) and prints a marker.
 */
#include "rt/rt.h"

#define UART_VECTOR 0x24
#define COM1_GSI 4
#define UART_IER (COM1 + 1)
#define UART_IIR (COM1 + 2)
#define UART_LSR (COM1 + 5)
#define IER_RDA 0x01
#define IER_THRE 0x02

static volatile int thre_irqs, rx_irqs;
static volatile char rx_char;

static void uart_irq(struct frame *f)
{
	(void)f;
	for (int guard = 0; guard < 16; guard++) {
		u8 iir = inb(UART_IIR);
		if (iir & 1)
			break; /* no interrupt pending */
		switch (iir & 0x0e) {
		case 0x02:
			outb(UART_IER, inb(UART_IER) & ~IER_THRE); /* once is enough */
			printf("IRQ-HANDLER: THRE interrupt on vector 0x%x\n", UART_VECTOR);
			thre_irqs++;
			break;
		case 0x04:
		case 0x0c:
			while (inb(UART_LSR) & 1) {
				char c = (char)inb(COM1);
				if (c != '\r' && c != '\n' && !rx_char)
					rx_char = c;
			}
			if (rx_char) {
				printf("IRQ-HANDLER: RX interrupt on vector 0x%x char='%c'\n", UART_VECTOR, rx_char);
				rx_irqs++;
			}
			break;
		default:
			(void)inb(UART_LSR); /* line status: reading LSR clears it */
			break;
		}
	}
	lapic_eoi();
}

void guest_main(void)
{
	struct madt_info m;
	acpi_madt(&m);
	u64 ioapic = m.ioapic_addr;
	u32 ver = ioapic_read(ioapic, 1);
	if (ver == 0xffffffff || ver == 0) {
		printf("IRQ-FAIL: no IOAPIC at 0x%lx (version register 0x%x)\n", ioapic, ver);
		return;
	}
	lapic_enable();
	u32 me = lapic_id();
	set_handler(UART_VECTOR, uart_irq);
	ioapic_route(ioapic, COM1_GSI, UART_VECTOR, me);
	printf("IRQ: IOAPIC 0x%lx version 0x%x (madt %s); GSI %d -> vector 0x%x on APIC %u\n", ioapic,
	       ver, m.found ? "yes" : "no", COM1_GSI, UART_VECTOR, me);

	/* drain stale input so only the test's key counts */
	while (inb(UART_LSR) & 1)
		(void)inb(COM1);
	outb(UART_IER, IER_THRE);
	sti();
	if (!wait_flag(&thre_irqs, 5000)) {
		printf("IRQ-FAIL: no THRE interrupt within 5 s\n");
		return;
	}
	cli();
	outb(UART_IER, IER_RDA);
	printf("IRQ-WAIT-RX: send one character\n");
	sti();
	if (!wait_flag(&rx_irqs, 20000)) {
		cli();
		printf("IRQ-FAIL: no received-data interrupt within 20 s\n");
		return;
	}
	cli();
	outb(UART_IER, 0);
	printf("IRQ-OK thre=%d rx=%d char='%c'\n", thre_irqs, rx_irqs, rx_char);
}
