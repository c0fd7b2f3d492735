/* Power-off: ACPI S5 through the FADT (ACPI 6.5 section 4.8.3.2.1 PM1 control: SLP_TYPx bits
 * 10-12, SLP_EN bit 13; section 4.8.3.7 sleep control register for hardware-reduced ACPI:
 * SLP_TYPx bits 2-4, SLP_EN bit 5), else a reset through the i8042 (0xfe to port 0x64). */
#include "rt.h"

#define FADT_DSDT 40
#define FADT_SMI_CMD 48
#define FADT_ACPI_ENABLE 52
#define FADT_PM1A_CNT_BLK 64
#define FADT_FLAGS 112
#define FADT_X_DSDT 140
#define FADT_X_PM1A_CNT_BLK 172 /* GAS: space, width, offset, access size, u64 address */
#define FADT_SLEEP_CONTROL_REG 244
#define FADT_FLAG_HW_REDUCED (1u << 20)
#define GAS_SYSTEM_IO 1
#define PM1_SCI_EN 1
#define PM1_SLP_EN (1u << 13)

static u16 gas_io_port(struct acpi_header *f, u32 off)
{
	if (f->length < off + 12)
		return 0;
	u8 *g = (u8 *)f + off;
	u64 a = *(u64 *)(g + 4);
	return g[0] == GAS_SYSTEM_IO && a && a < 0x10000 ? (u16)a : 0;
}

static struct acpi_header *fadt_dsdt(struct acpi_header *f)
{
	u64 d = f->length >= FADT_X_DSDT + 8 ? *(u64 *)((u8 *)f + FADT_X_DSDT) : 0;
	if (!d)
		d = *(u32 *)((u8 *)f + FADT_DSDT);
	if (!d || d >= 0x100000000UL || memcmp((void *)d, "DSDT", 4))
		return NULL;
	return (void *)d;
}

static void try_s5(void)
{
	struct acpi_header *f = acpi_find("FACP");
	if (!f) {
		printf("POWEROFF: no ACPI FADT (rsdp=0x%lx)\n", acpi_rsdp());
		return;
	}
	int typ = acpi_s5_type(fadt_dsdt(f));
	u32 flags = *(u32 *)((u8 *)f + FADT_FLAGS);
	if (flags & FADT_FLAG_HW_REDUCED) {
		u16 port = gas_io_port(f, FADT_SLEEP_CONTROL_REG);
		printf("POWEROFF: ACPI S5 via SLEEP_CONTROL_REG=0x%x SLP_TYP=%d\n", port, typ);
		if (port)
			for (int t = typ >= 0 ? typ : 5, n = 0; n < 2; t = 0, n++)
				outb(port, (u8)(((t & 7) << 2) | (1 << 5))), delay_ms(100);
		return;
	}
	u16 cnt = *(u32 *)((u8 *)f + FADT_PM1A_CNT_BLK);
	if (!cnt)
		cnt = gas_io_port(f, FADT_X_PM1A_CNT_BLK);
	printf("POWEROFF: ACPI S5 via PM1a_CNT=0x%x SLP_TYP=%d\n", cnt, typ);
	if (!cnt)
		return;
	u32 smi = *(u32 *)((u8 *)f + FADT_SMI_CMD);
	u8 enable = *((u8 *)f + FADT_ACPI_ENABLE);
	if (!(inw(cnt) & PM1_SCI_EN) && smi && enable) {
		outb((u16)smi, enable); /* hand the PM registers from SMM to the OS (section 4.8.2.5) */
		delay_ms(10);
	}
	/* \_S5 missing: try 5 (common choice), then 0 (QEMU's PIIX4/ICH9) */
	int types[2] = {typ >= 0 ? typ : 5, 0};
	for (int i = 0; i < (typ >= 0 ? 1 : 2); i++) {
		outw(cnt, (u16)(((types[i] & 7) << 10) | PM1_SLP_EN));
		delay_ms(100);
	}
}

void poweroff(void)
{
	cli();
	try_s5();
	printf("POWEROFF: still running; resetting through the i8042 (0xfe to port 0x64)\n");
	outb(0x64, 0xfe);
	delay_ms(200);
	printf("POWEROFF-FAILED: neither ACPI S5 nor i8042 reset stopped the machine\n");
	halt_forever();
}
