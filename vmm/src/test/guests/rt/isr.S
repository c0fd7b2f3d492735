/* 256 interrupt stubs: push a dummy error code where the CPU pushes none (SDM vol. 3
 * table 6-1: 8, 10-14, 17, 21, 29, 30 have one), push the vector, save registers, call
 * rt_interrupt(struct frame *). */
	.text
	.code64
.macro STUB n
	.balign 16
isr_\n:
	.if (\n == 8) || ((\n >= 10) && (\n <= 14)) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
	.else
	pushq $0
	.endif
	pushq $\n
	jmp isr_common
.endm

	.globl isr_table_start
isr_table_start:
	.altmacro
	.set i, 0
	.rept 256
	STUB %i
	.set i, i + 1
	.endr

isr_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	mov %rsp, %rdi
	mov %rsp, %rbp
	and $-16, %rsp
	call rt_interrupt
	mov %rbp, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	add $16, %rsp
	iretq
