/* smp: starts the second CPU with INIT-SIPI-SIPI through the trampoline at 0x8000; both CPUs
 * print. The AP's APIC ID comes from the MADT, else 1. */
#include "rt/rt.h"

static volatile int ap_online;
static u8 ap_stack[16384] __attribute__((aligned(16)));

static void ap_main(void)
{
	extern void load_gdt(void);
	load_gdt();
	idt_init();
	lapic_enable();
	printf("SMP: AP online apic_id=%u\n", lapic_id());
	__atomic_store_n(&ap_online, 1, __ATOMIC_RELEASE);
	halt_forever();
}

void guest_main(void)
{
	struct madt_info m;
	acpi_madt(&m);
	lapic_enable();
	u32 me = lapic_id();
	u32 ap = 1;
	for (u32 i = 0; i < m.ncpus; i++)
		if (m.apic_ids[i] != me) {
			ap = m.apic_ids[i];
			break;
		}
	printf("SMP: BSP apic_id=%u; madt %s cpus=%u; starting AP apic_id=%u\n", me,
	       m.found ? "yes" : "no", m.ncpus, ap);
	smp_prepare_trampoline(ap_main, (u64)(ap_stack + sizeof(ap_stack)));
	lapic_start_ap(ap, TRAMPOLINE_ADDR >> 12);
	if (!wait_flag(&ap_online, 5000)) {
		printf("SMP-FAIL: AP apic_id=%u did not come up within 5 s\n", ap);
		return;
	}
	printf("SMP-OK cpus=2\n");
}
