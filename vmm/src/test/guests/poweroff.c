/* poweroff: finds the FADT through boot_params.acpi_rsdp_addr and enters S5. */
#include "rt/rt.h"

void guest_main(void)
{
	u64 bp_rsdp = *(u64 *)(boot_params + BP_ACPI_RSDP_ADDR);
	u64 rsdp = acpi_rsdp();
	struct acpi_header *fadt = acpi_find("FACP");
	printf("POWEROFF-GUEST: boot_params.acpi_rsdp_addr=0x%lx rsdp=0x%lx fadt=%p\n", bp_rsdp, rsdp,
	       (void *)fadt);
	if (fadt)
		printf("POWEROFF-GUEST: FADT revision %u length %u oem '%c%c%c%c%c%c'\n", fadt->revision,
		       fadt->length, fadt->oem_id[0], fadt->oem_id[1], fadt->oem_id[2],
		       fadt->oem_id[3], fadt->oem_id[4], fadt->oem_id[5]);
	printf("POWEROFF-GUEST: powering off\n");
	/* returning makes the runtime call poweroff() */
}
