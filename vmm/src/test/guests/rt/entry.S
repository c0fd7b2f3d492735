/*
 * Entry points.
 *  _start64: jvirt's entry (ELF e_entry) per boot.rst "64-bit Boot Protocol": long mode,
 *            identity map, flat GDT, interrupts off, RSI = boot_params.
 *  _start32: PVH entry (XEN_ELFNOTE_PHYS32_ENTRY, xen/include/public/arch-x86/hvm/start_info.h):
 *            32-bit protected mode, paging off, EBX = hvm_start_info. Used by QEMU -kernel to
 *            validate the guests themselves; it builds an identity map of 4 GiB, enters long
 *            mode, converts start_info into a boot_params at 0x7000 and joins _start64.
 */
#define BOOT_PARAMS_PVH 0x7000
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define CR0_PE 1
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)

	.section .note.pvh, "a"
	.balign 4
	.long 4            /* namesz: "Xen\0" */
	.long 8            /* descsz */
	.long 18           /* XEN_ELFNOTE_PHYS32_ENTRY (xen/include/public/elfnote.h) */
	.asciz "Xen"
	.balign 4
	.quad _start32
	.balign 4

	.section .text.entry, "ax"
	.code64
	.globl _start64
_start64:
	cli
	cld
	mov %rsi, %r12                 /* boot_params, kept across the bss clear */
	lea __bss_start(%rip), %rdi
	lea __bss_end(%rip), %rcx
	sub %rdi, %rcx
	xor %eax, %eax
	rep stosb
	lea stack_top(%rip), %rsp
	call load_gdt
	mov %r12, %rdi
	call rt_start                  /* never returns */
1:	hlt
	jmp 1b

/* Loads our GDT and reloads every segment register: CS = 0x08, data = 0x10. */
	.globl load_gdt
load_gdt:
	lgdt gdt_desc(%rip)
	mov $0x10, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %eax, %fs
	mov %eax, %gs
	popq %rax                      /* return address */
	pushq $0x08
	pushq %rax
	lretq

	.code32
	.globl _start32
_start32:
	cli
	cld
	mov %ebx, %ebp                 /* hvm_start_info */
	/* clear the page-table area, then identity-map 4 GiB with 2 MiB pages */
	mov $__pgt_start, %edi
	mov $__pgt_end, %ecx
	sub %edi, %ecx
	xor %eax, %eax
	rep stosb
	mov $pgt_pdpt, %eax
	or $0x3, %eax                  /* present, writable */
	mov %eax, pgt_pml4
	mov $pgt_pd, %edi              /* 4 PDs, 2048 entries */
	xor %ecx, %ecx
2:	mov %ecx, %eax
	shl $21, %eax
	or $0x83, %eax                 /* present, writable, 2 MiB page */
	mov %eax, (%edi,%ecx,8)
	mov %ecx, %eax
	shr $11, %eax                  /* (ecx << 21) >> 32 */
	mov %eax, 4(%edi,%ecx,8)
	inc %ecx
	cmp $2048, %ecx
	jne 2b
	mov $pgt_pdpt, %edi
	xor %ecx, %ecx
3:	mov %ecx, %eax
	shl $12, %eax
	add $pgt_pd, %eax
	or $0x3, %eax
	mov %eax, (%edi,%ecx,8)
	inc %ecx
	cmp $4, %ecx
	jne 3b

	lgdt gdt_desc32
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $pgt_pml4, %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov %cr0, %eax
	or $(CR0_PG | CR0_PE), %eax
	mov %eax, %cr0
	ljmp $0x08, $4f

	.code64
4:	mov $0x10, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov $pvh_stack_top, %esp
	mov %ebp, %edi                 /* start_info */
	mov $BOOT_PARAMS_PVH, %esi
	call pvh_to_boot_params
	movl $1, pvh_flag
	mov $BOOT_PARAMS_PVH, %esi
	jmp _start64

	.section .rodata
	.balign 16
	.globl gdt
gdt:
	.quad 0                        /* null */
	.quad 0x00af9a000000ffff       /* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff       /* 0x10: flat data */
	.quad 0x00cf9a000000ffff       /* 0x18: 32-bit code */
gdt_end:
	.balign 16
gdt_desc:
	.word gdt_end - gdt - 1
	.quad gdt
gdt_desc32:
	.word gdt_end - gdt - 1
	.long gdt

	.section .data
	.balign 4
	.globl pvh_flag
pvh_flag:
	.long 0

	/* the PVH path's own small stack, outside .bss (which _start64 clears) */
	.section .pgtables, "aw", @nobits
	.balign 4096
pgt_pml4:
	.skip 4096
pgt_pdpt:
	.skip 4096
pgt_pd:
	.skip 4 * 4096
	.skip 4096
pvh_stack_top:

	.section .bss
	.balign 16
	.skip 16384
	.globl stack_top
stack_top:
