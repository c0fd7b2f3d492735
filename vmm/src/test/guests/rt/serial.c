/* COM1 output and a small printf (%s %c %d %u %x %p, l/ll, width, zero pad). */
#include "rt.h"
#include <stdarg.h>

#define UART_THR 0 /* 16550A registers, offsets from COM1 */
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_DLL 0
#define UART_DLM 1
#define LSR_THRE 0x20

volatile u32 console_lock;

void serial_init(void)
{
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, 0x80); /* DLAB */
	outb(COM1 + UART_DLL, 0x01); /* 115200 baud */
	outb(COM1 + UART_DLM, 0x00);
	outb(COM1 + UART_LCR, 0x03); /* 8N1 */
	outb(COM1 + UART_FCR, 0x07); /* FIFOs on and cleared */
	outb(COM1 + UART_MCR, 0x0b); /* DTR, RTS, OUT2 (IRQ gate on PCs) */
}

void serial_putc(char c)
{
	/* bounded wait: a console that never reports THRE must not hang the guest */
	for (int i = 0; i < 100000 && !(inb(COM1 + UART_LSR) & LSR_THRE); i++)
		cpu_relax();
	outb(COM1 + UART_THR, (u8)c);
}

void puts_nolock(const char *s)
{
	while (*s)
		serial_putc(*s++);
}

static void lock(u64 *flags)
{
	*flags = read_flags();
	cli();
	while (__atomic_exchange_n(&console_lock, 1, __ATOMIC_ACQUIRE))
		cpu_relax();
}

static void unlock(u64 flags)
{
	__atomic_store_n(&console_lock, 0, __ATOMIC_RELEASE);
	if (flags & 0x200)
		sti();
}

static void put_num(u64 v, int base, int width, int zero, int neg)
{
	char buf[24];
	int n = 0;
	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		buf[n++] = '-';
	while (n < width)
		serial_putc(zero ? '0' : ' '), width--;
	while (n)
		serial_putc(buf[--n]);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	u64 flags;
	va_start(ap, fmt);
	lock(&flags);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			if (*p == '\n')
				serial_putc('\r');
			serial_putc(*p);
			continue;
		}
		p++;
		int zero = 0, width = 0, lng = 0;
		if (*p == '0')
			zero = 1, p++;
		while (*p >= '0' && *p <= '9')
			width = width * 10 + (*p++ - '0');
		int prec = -1; /* "%.Ns": at most N characters */
		if (*p == '.') {
			prec = 0, p++;
			while (*p >= '0' && *p <= '9')
				prec = prec * 10 + (*p++ - '0');
		}
		while (*p == 'l')
			lng++, p++;
		switch (*p) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			for (; *s && prec != 0; s++, prec--)
				serial_putc(prec < 0 || (*s >= ' ' && *s < 127) ? *s : '.');
			break;
		}
		case 'c':
			serial_putc((char)va_arg(ap, int));
			break;
		case 'd': {
			i64 v = lng ? va_arg(ap, i64) : va_arg(ap, int);
			put_num(v < 0 ? -(u64)v : (u64)v, 10, width, zero, v < 0);
			break;
		}
		case 'u':
			put_num(lng ? va_arg(ap, u64) : va_arg(ap, u32), 10, width, zero, 0);
			break;
		case 'x':
			put_num(lng ? va_arg(ap, u64) : va_arg(ap, u32), 16, width, zero, 0);
			break;
		case 'p':
			serial_putc('0'), serial_putc('x');
			put_num((u64)va_arg(ap, void *), 16, width, zero, 0);
			break;
		case '%':
			serial_putc('%');
			break;
		default:
			serial_putc('?');
			break;
		}
	}
	unlock(flags);
	va_end(ap);
	return 0;
}
