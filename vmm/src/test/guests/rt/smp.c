/* Prepares the AP trampoline at 0x8000 (see trampoline.S). */
#include "rt.h"

extern char tramp_start[], tramp_end[];
extern char tramp_off_cr3[], tramp_off_stack[], tramp_off_entry[];

void smp_prepare_trampoline(void (*entry)(void), u64 stack_top)
{
	u8 *t = (u8 *)TRAMPOLINE_ADDR;
	memcpy(t, tramp_start, (size_t)(tramp_end - tramp_start));
	*(u32 *)(t + (u64)tramp_off_cr3) = (u32)read_cr3();
	*(u64 *)(t + (u64)tramp_off_stack) = stack_top;
	*(u64 *)(t + (u64)tramp_off_entry) = (u64)entry;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}
