/* PVH boot (QEMU -kernel): turn hvm_start_info (xen/include/public/arch-x86/hvm/start_info.h)
 * into the boot_params the 64-bit entry expects. Runs before .bss is cleared: no globals. */
#include "rt.h"

#define HVM_START_MAGIC 0x336ec578

struct hvm_start_info {
	u32 magic, version, flags, nr_modules;
	u64 modlist_paddr, cmdline_paddr, rsdp_paddr;
	u64 memmap_paddr; /* version >= 1 */
	u32 memmap_entries, reserved;
};

struct hvm_modlist_entry {
	u64 paddr, size, cmdline_paddr, reserved;
};

struct hvm_memmap_entry {
	u64 addr, size;
	u32 type, reserved;
};

void pvh_to_boot_params(struct hvm_start_info *si, u8 *bp)
{
	for (int i = 0; i < BP_SIZE; i++)
		bp[i] = 0;
	if (si->magic != HVM_START_MAGIC)
		return;
	*(u32 *)(bp + BP_CMD_LINE_PTR) = (u32)si->cmdline_paddr;
	*(u32 *)(bp + BP_EXT_CMD_LINE_PTR) = (u32)(si->cmdline_paddr >> 32);
	*(u64 *)(bp + BP_ACPI_RSDP_ADDR) = si->rsdp_paddr;
	if (si->nr_modules && si->modlist_paddr) { /* module 0 is the initrd (QEMU -initrd) */
		struct hvm_modlist_entry *mod = (void *)si->modlist_paddr;
		*(u32 *)(bp + BP_RAMDISK_IMAGE) = (u32)mod->paddr;
		*(u32 *)(bp + BP_EXT_RAMDISK_IMAGE) = (u32)(mod->paddr >> 32);
		*(u32 *)(bp + BP_RAMDISK_SIZE) = (u32)mod->size;
		*(u32 *)(bp + BP_EXT_RAMDISK_SIZE) = (u32)(mod->size >> 32);
	}
	if (si->version < 1 || !si->memmap_paddr)
		return;
	struct hvm_memmap_entry *m = (void *)si->memmap_paddr;
	u32 n = si->memmap_entries < BP_E820_MAX ? si->memmap_entries : BP_E820_MAX;
	struct e820_entry *e = (void *)(bp + BP_E820_TABLE);
	for (u32 i = 0; i < n; i++) {
		e[i].addr = m[i].addr;
		e[i].size = m[i].size;
		e[i].type = m[i].type;
	}
	bp[BP_E820_ENTRIES] = (u8)n;
}
