/*
 * AP start-up trampoline, copied to 0x8000 (LAYOUT.md; SIPI vector 0x08 starts the AP in real
 * mode at CS:IP = 0x0800:0000). Real mode -> 32-bit protected mode -> long mode with the
 * BSP's CR3 (SDM vol. 3 9.8.5), then calls tramp_entry on tramp_stack.
 */
#define TRAMP 0x8000
	.section .rodata.trampoline, "a"
	.globl tramp_start, tramp_end
	.code16
tramp_start:
	cli
	cld
	mov %cs, %ax
	mov %ax, %ds
	lgdtl tramp_gdtr - tramp_start
	mov %cr0, %eax
	or $1, %eax
	mov %eax, %cr0
	ljmpl $0x18, $(TRAMP + tramp32 - tramp_start)

	.code32
tramp32:
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov %cr4, %eax
	or $0x20, %eax                       /* PAE */
	mov %eax, %cr4
	mov (TRAMP + tramp_cr3 - tramp_start), %eax
	mov %eax, %cr3
	mov $0xc0000080, %ecx                /* EFER.LME */
	rdmsr
	or $0x100, %eax
	wrmsr
	mov %cr0, %eax
	or $0x80000000, %eax                 /* PG */
	mov %eax, %cr0
	ljmp $0x08, $(TRAMP + tramp64 - tramp_start)

	.code64
tramp64:
	mov $0x10, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %eax, %fs
	mov %eax, %gs
	mov (TRAMP + tramp_stack - tramp_start), %rsp
	mov (TRAMP + tramp_entry - tramp_start), %rax
	call *%rax
1:	cli
	hlt
	jmp 1b

	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00af9a000000ffff             /* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff             /* 0x10: flat data */
	.quad 0x00cf9a000000ffff             /* 0x18: 32-bit code */
tramp_gdtr:
	.word 31
	.long TRAMP + tramp_gdt - tramp_start
	.balign 8
tramp_cr3:
	.long 0, 0
tramp_stack:
	.quad 0
tramp_entry:
	.quad 0
tramp_end:

	.globl tramp_off_cr3, tramp_off_stack, tramp_off_entry
	.set tramp_off_cr3, tramp_cr3 - tramp_start
	.set tramp_off_stack, tramp_stack - tramp_start
	.set tramp_off_entry, tramp_entry - tramp_start
