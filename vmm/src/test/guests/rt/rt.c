/* Runtime start-up, strings, timing and boot_params accessors. */
#include "rt.h"

u8 *boot_params;
int booted_via_pvh;
extern int pvh_flag;

void *memset(void *d, int c, size_t n)
{
	u8 *p = d;
	while (n--)
		*p++ = (u8)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	u8 *p = d;
	const u8 *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *p = a, *q = b;
	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

void delay_ms(u64 ms)
{
	u64 end = rdtsc() + ms * TSC_PER_MS;
	while (rdtsc() < end)
		cpu_relax();
}

int wait_flag(volatile int *flag, u64 ms)
{
	u64 end = rdtsc() + ms * TSC_PER_MS;
	while (!*flag && rdtsc() < end)
		cpu_relax();
	return *flag;
}

const char *boot_cmdline(void)
{
	u64 p = *(u32 *)(boot_params + BP_CMD_LINE_PTR) |
		((u64) * (u32 *)(boot_params + BP_EXT_CMD_LINE_PTR) << 32);
	return p ? (const char *)p : "";
}

const u8 *boot_initrd(u64 *size)
{
	u64 a = *(u32 *)(boot_params + BP_RAMDISK_IMAGE) |
		((u64) * (u32 *)(boot_params + BP_EXT_RAMDISK_IMAGE) << 32);
	*size = *(u32 *)(boot_params + BP_RAMDISK_SIZE) |
		((u64) * (u32 *)(boot_params + BP_EXT_RAMDISK_SIZE) << 32);
	if (!a)
		*size = 0;
	return *size ? (const u8 *)a : NULL;
}

void halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

void rt_start(u8 *bp)
{
	boot_params = bp;
	booted_via_pvh = pvh_flag;
	serial_init();
	pic_mask_all();
	idt_init();
	printf("JVIRT-GUEST-START entry=%s boot_params=%p\n", booted_via_pvh ? "pvh32" : "boot64", bp);
	guest_main();
	poweroff();
}
