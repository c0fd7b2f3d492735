/* hello: prints the kernel command line and the e820 map from boot_params. */
#include "rt/rt.h"

static const char *type_name(u32 t)
{
	switch (t) {
	case 1: return "usable";
	case 2: return "reserved";
	case 3: return "acpi-data";
	case 4: return "acpi-nvs";
	case 5: return "unusable";
	default: return "other";
	}
}

void guest_main(void)
{
	printf("HELLO: cmdline='%s'\n", boot_cmdline());
	u32 n = boot_params[BP_E820_ENTRIES];
	struct e820_entry *e = (void *)(boot_params + BP_E820_TABLE);
	printf("HELLO: e820 entries=%u\n", n);
	u64 ram = 0;
	for (u32 i = 0; i < n && i < BP_E820_MAX; i++) {
		printf("HELLO: e820 0x%016lx-0x%016lx %s\n", e[i].addr, e[i].addr + e[i].size - 1,
		       type_name(e[i].type));
		if (e[i].type == 1)
			ram += e[i].size;
	}
	printf("HELLO: usable-ram-kib=%lu\n", ram >> 10);
	printf("HELLO-OK\n");
}
