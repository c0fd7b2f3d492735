/*
 * difftest: runs generated instruction sequences from an initrd blob and dumps the state each
 * leaves on COM1, so that the same blob can be run in two CPUs (QEMU TCG, jvirt's software
 * CPU) and the dumps compared. Blob (little-endian), written by io.jvirt.vmm.difftest:
 *   header: "JVDIFF01", u32 case count, u32 reserved
 *   case:   u32 code length, u32 reserved, u64 gpr[16], u64 rflags, u8 mem[DT_MEM], code,
 *           padded to 8 bytes
 * Output per case: "DT <i> <gpr>=<hex>... rflags=<hex> mem=<hex bytes>", then "DT-END <n>".
 */
#include "../rt/rt.h"

#define DT_MEM 256
#define DT_DATA 0x200000UL /* the data window: RBX points at its middle */
#define DT_CODE 0x300000UL /* where each case's code is copied */
#define DT_MAX_CODE 4096

struct dt_state {
	u64 gpr[16];
	u64 rflags;
};

void run_case(const struct dt_state *in, struct dt_state *out, void *code);

static const char *const names[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
				      "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

void guest_main(void)
{
	u64 size;
	const u8 *blob = boot_initrd(&size);
	if (!blob || size < 16 || memcmp(blob, "JVDIFF01", 8)) {
		printf("DT-FAIL: no difftest blob in the initrd (size %lu)\n", size);
		return;
	}
	u32 n = *(const u32 *)(blob + 8);
	u64 off = 16;
	printf("DT-BEGIN %u\n", n);
	for (u32 i = 0; i < n; i++) {
		if (off + 8 + sizeof(struct dt_state) + DT_MEM > size) {
			printf("DT-FAIL: case %u runs past the blob\n", i);
			return;
		}
		u32 len = *(const u32 *)(blob + off);
		const u8 *p = blob + off + 8;
		struct dt_state in, out;
		memcpy(&in, p, sizeof(in));
		p += sizeof(in);
		if (len > DT_MAX_CODE || (u64)(p - blob) + DT_MEM + len > size) {
			printf("DT-FAIL: case %u code length %u is bad\n", i, len);
			return;
		}
		memcpy((void *)DT_DATA, p, DT_MEM);
		memcpy((void *)DT_CODE, p + DT_MEM, len);
		run_case(&in, &out, (void *)DT_CODE);
		printf("DT %u", i);
		for (int r = 0; r < 16; r++)
			if (r != 4)
				printf(" %s=%016lx", names[r], out.gpr[r]);
		printf(" rflags=%016lx mem=", out.rflags);
		for (int b = 0; b < DT_MEM; b++)
			printf("%02x", ((u8 *)DT_DATA)[b]);
		printf("\n");
		off += 8 + sizeof(in) + DT_MEM + ((len + 7) & ~7u);
	}
	printf("DT-END %u\n", n);
}
