/*
 * The baseline for bench/exit: the same guest loop as ExitBench.java (xor eax,eax; 1: out
 * 0x80,al; jmp 1b) in long mode, run with the KVM ioctls directly (Documentation/virt/kvm/
 * api.rst) and the same VM set-up jvirt's KVM backend does (identity map and TSS addresses,
 * in-kernel irqchip and PIT, supported CPUID). Prints one line per round and the median.
 *
 * usage: kvm_exit EXITS_PER_ROUND ROUNDS WARMUP_ROUNDS
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MEM_SIZE (16UL << 20)
#define ENTRY 0x100000UL /* LAYOUT.md: kernel at 1 MiB */
#define GDT 0x500UL      /* LAYOUT.md: GDT, CS 0x10, DS 0x18, TSS 0x20 */
#define PML4 0x9000UL    /* LAYOUT.md: PML4, PDPT, PDs */
#define PDPT 0xa000UL
#define PD 0xb000UL
#define BENCH_PORT 0x80

static const uint8_t guest_code[] = {
	0x31, 0xc0,       /* xor %eax, %eax */
	0xe6, 0x80,       /* 1: out %al, $0x80 */
	0xeb, 0xfc,       /* jmp 1b */
};

static void die(const char *what)
{
	fprintf(stderr, "kvm_exit: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* CPU time of this (the vCPU) thread, guest time included: immune to preemption on a busy host. */
static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (uint64_t)t.tv_sec * 1000000000UL + (uint64_t)t.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void seg(struct kvm_segment *s, uint16_t sel, uint8_t type, int code64, int system)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = system ? 0x67 : 0xffffffff;
	s->type = type;
	s->present = 1;
	s->s = !system;
	s->l = code64;
	s->db = !code64 && !system;
	s->g = !system;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: kvm_exit EXITS_PER_ROUND ROUNDS WARMUP_ROUNDS\n");
		return 2;
	}
	long per_round = atol(argv[1]), rounds = atol(argv[2]), warmup = atol(argv[3]);
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("open /dev/kvm");
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	uint64_t ident = 0xfffbc000;
	if (ioctl(vm, KVM_SET_IDENTITY_MAP_ADDR, &ident) < 0)
		die("KVM_SET_IDENTITY_MAP_ADDR");
	if (ioctl(vm, KVM_SET_TSS_ADDR, 0xfffbd000UL) < 0)
		die("KVM_SET_TSS_ADDR");
	if (ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0)
		die("KVM_CREATE_IRQCHIP");
	struct kvm_pit_config pit = {0};
	if (ioctl(vm, KVM_CREATE_PIT2, &pit) < 0)
		die("KVM_CREATE_PIT2");

	uint8_t *mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap guest RAM");
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE, .userspace_addr = (uint64_t)mem};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
	memcpy(mem + ENTRY, guest_code, sizeof(guest_code));
	uint64_t *gdt = (uint64_t *)(mem + GDT);
	gdt[2] = 0x00af9b000000ffffUL; /* 0x10: 64-bit code */
	gdt[3] = 0x00cf93000000ffffUL; /* 0x18: data */
	gdt[4] = 0x00008b0000000067UL; /* 0x20: busy 64-bit TSS at 0 (16-byte descriptor) */
	gdt[5] = 0;
	*(uint64_t *)(mem + PML4) = PDPT | 3;
	*(uint64_t *)(mem + PDPT) = PD | 3;
	for (uint64_t i = 0; i < 512; i++)
		((uint64_t *)(mem + PD))[i] = (i << 21) | 0x83; /* 1 GiB of 2 MiB pages */

	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("KVM_CREATE_VCPU");
	struct {
		struct kvm_cpuid2 c;
		struct kvm_cpuid_entry2 e[256];
	} cpuid = {.c.nent = 256};
	if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, &cpuid) < 0)
		die("KVM_GET_SUPPORTED_CPUID");
	if (ioctl(vcpu, KVM_SET_CPUID2, &cpuid) < 0)
		die("KVM_SET_CPUID2");
	int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	struct kvm_run *run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");

	struct kvm_sregs sregs;
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		die("KVM_GET_SREGS");
	seg(&sregs.cs, 0x10, 0xb, 1, 0);
	seg(&sregs.ds, 0x18, 0x3, 0, 0);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	seg(&sregs.tr, 0x20, 0xb, 0, 1);
	sregs.gdt.base = GDT;
	sregs.gdt.limit = 6 * 8 - 1;
	sregs.cr0 = 0x80000033; /* PG NE ET MP PE */
	sregs.cr3 = PML4;
	sregs.cr4 = 0x20;       /* PAE */
	sregs.efer = 0x500;     /* LMA LME */
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		die("KVM_SET_SREGS");
	struct kvm_regs regs = {.rip = ENTRY, .rsp = 0x7000, .rflags = 2};
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		die("KVM_SET_REGS");

	long total = per_round * (rounds + warmup), n = 0;
	uint64_t *ns = calloc(rounds + warmup, sizeof(uint64_t));
	uint64_t t0 = now_ns();
	while (n < total) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			die("KVM_RUN");
		}
		if (run->exit_reason != KVM_EXIT_IO || run->io.port != BENCH_PORT ||
		    run->io.direction != KVM_EXIT_IO_OUT) {
			fprintf(stderr, "kvm_exit: unexpected exit %u (port 0x%x)\n", run->exit_reason, run->io.port);
			return 1;
		}
		if (++n % per_round == 0) {
			uint64_t t = now_ns();
			ns[n / per_round - 1] = t - t0;
			t0 = t;
		}
	}
	qsort(ns + warmup, rounds, sizeof(uint64_t), cmp_u64);
	printf("kvm-c: median %.1f ns/exit of vCPU-thread CPU time (%ld rounds of %ld exits, %ld warm-up rounds)\n",
	       (double)ns[warmup + rounds / 2] / per_round, rounds, per_round, warmup);
	return 0;
}
