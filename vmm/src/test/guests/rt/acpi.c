/* ACPI table walk (ACPI 6.5 sections 5.2.5 RSDP, 5.2.7 RSDT, 5.2.8 XSDT, 5.2.12 MADT). */
#include "rt.h"

static int checksum_ok(const void *p, u32 len)
{
	u8 sum = 0;
	for (u32 i = 0; i < len; i++)
		sum += ((const u8 *)p)[i];
	return sum == 0;
}

static u64 scan(u64 from, u64 to)
{
	for (u64 a = from; a + 20 <= to; a += 16)
		if (!memcmp((void *)a, "RSD PTR ", 8) && checksum_ok((void *)a, 20))
			return a;
	return 0;
}

u64 acpi_rsdp(void)
{
	u64 a = *(u64 *)(boot_params + BP_ACPI_RSDP_ADDR);
	if (a && a < 0x100000000UL && !memcmp((void *)a, "RSD PTR ", 8))
		return a;
	u64 ebda = (u64) * (volatile u16 *)0x40e << 4; /* BDA word 0x40e: EBDA segment */
	if (ebda >= 0x80000 && ebda < 0xa0000 && (a = scan(ebda, ebda + 1024)))
		return a;
	return scan(0xe0000, 0x100000);
}

static int sane(u64 a)
{
	if (!a || a >= 0x100000000UL)
		return 0;
	struct acpi_header *h = (void *)a;
	return h->length >= sizeof(*h) && h->length < 0x100000 && checksum_ok(h, h->length);
}

struct acpi_header *acpi_find(const char *sig)
{
	u64 rsdp = acpi_rsdp();
	if (!rsdp)
		return NULL;
	u8 rev = *(u8 *)(rsdp + 15);
	u64 xsdt = rev >= 2 ? *(u64 *)(rsdp + 24) : 0;
	u64 sdt = sane(xsdt) ? xsdt : *(u32 *)(rsdp + 16);
	int width = sdt == xsdt ? 8 : 4;
	if (!sane(sdt))
		return NULL;
	struct acpi_header *h = (void *)sdt;
	for (u32 off = sizeof(*h); off + width <= h->length; off += width) {
		u64 t = width == 8 ? *(u64 *)(sdt + off) : *(u32 *)(sdt + off);
		if (sane(t) && !memcmp((void *)t, sig, 4))
			return (void *)t;
	}
	return NULL;
}

void acpi_madt(struct madt_info *m)
{
	memset(m, 0, sizeof(*m));
	m->ioapic_addr = IOAPIC_BASE_DEFAULT;
	struct acpi_header *h = acpi_find("APIC");
	if (!h)
		return;
	m->found = 1;
	u8 *p = (u8 *)h + 44, *end = (u8 *)h + h->length;
	while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
		if (p[0] == 0 && p[1] >= 8 && (*(u32 *)(p + 4) & 1) && m->ncpus < ARRAY_SIZE(m->apic_ids))
			m->apic_ids[m->ncpus++] = p[3]; /* processor local APIC, enabled */
		else if (p[0] == 1 && p[1] >= 12)
			m->ioapic_addr = *(u32 *)(p + 4); /* first IOAPIC wins */
		p += p[1];
	}
}

/* \_S5 in the DSDT: NameOp '_S5_' PackageOp PkgLength NumElements SLP_TYPa ... (ACPI 6.5
 * sections 7.4.2 and 20.2.5). A data scan, not an AML interpreter. */
int acpi_s5_type(struct acpi_header *dsdt)
{
	if (!dsdt)
		return -1;
	u8 *p = (u8 *)dsdt + sizeof(*dsdt), *end = (u8 *)dsdt + dsdt->length;
	for (; p + 8 < end; p++) {
		if (memcmp(p, "_S5_", 4) || p[4] != 0x12)
			continue;
		if (p[-1] != 0x08 && !(p[-1] == '\\' && p[-2] == 0x08))
			continue;
		u8 *q = p + 5;
		q += 1 + (*q >> 6); /* PkgLength: bits 7-6 of the lead byte count following bytes */
		q++;                /* NumElements */
		if (q >= end)
			return -1;
		switch (*q) {
		case 0x0a: return q + 1 < end ? q[1] : -1; /* BytePrefix */
		case 0x00: return 0;                       /* ZeroOp */
		case 0x01: return 1;                       /* OneOp */
		default: return -1;
		}
	}
	return -1;
}
