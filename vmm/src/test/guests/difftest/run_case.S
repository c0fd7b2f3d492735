/*
 * run_case(const struct dt_state *in, struct dt_state *out, void *code): loads every GPR but
 * RSP and RFLAGS from *in, calls code (generated instructions ending in ret; they never touch
 * RSP), and stores the GPRs and RFLAGS it left into *out. struct dt_state: u64 gpr[16] in
 * encoding order (rax rcx rdx rbx rsp rbp rsi rdi r8..r15), then u64 rflags.
 */
	.text
	.code64
	.globl run_case
run_case:
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsi, out_ptr(%rip)
	mov %rdx, code_ptr(%rip)
	mov %rdi, %rax
	pushq 128(%rax)
	mov 8(%rax), %rcx
	mov 16(%rax), %rdx
	mov 24(%rax), %rbx
	mov 40(%rax), %rbp
	mov 48(%rax), %rsi
	mov 56(%rax), %rdi
	mov 64(%rax), %r8
	mov 72(%rax), %r9
	mov 80(%rax), %r10
	mov 88(%rax), %r11
	mov 96(%rax), %r12
	mov 104(%rax), %r13
	mov 112(%rax), %r14
	mov 120(%rax), %r15
	mov 0(%rax), %rax
	popfq
	call *code_ptr(%rip)
	pushfq
	push %rax
	mov out_ptr(%rip), %rax
	mov %rcx, 8(%rax)
	mov %rdx, 16(%rax)
	mov %rbx, 24(%rax)
	mov %rbp, 40(%rax)
	mov %rsi, 48(%rax)
	mov %rdi, 56(%rax)
	mov %r8, 64(%rax)
	mov %r9, 72(%rax)
	mov %r10, 80(%rax)
	mov %r11, 88(%rax)
	mov %r12, 96(%rax)
	mov %r13, 104(%rax)
	mov %r14, 112(%rax)
	mov %r15, 120(%rax)
	popq 0(%rax)
	popq 128(%rax)
	movq $0, 32(%rax)
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	ret

	.data
	.balign 8
out_ptr: .quad 0
code_ptr: .quad 0
