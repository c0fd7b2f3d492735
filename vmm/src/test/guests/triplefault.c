/* triplefault: loads an empty IDT and raises #UD; #UD and then #DF cannot be delivered, so
 * the CPU shuts down (SDM vol. 3 6.15, interrupt 8). */
#include "rt/rt.h"

void guest_main(void)
{
	printf("TRIPLE-FAULT-GUEST: loading an empty IDT and executing ud2\n");
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) empty = {0, 0};
	__asm__ volatile("lidt %0; ud2" ::"m"(empty));
	printf("TRIPLE-FAULT-FAILED: still running after ud2\n");
}
