/* Local APIC (Intel SDM vol. 3 ch. 11, xAPIC MMIO at 0xfee00000) and IOAPIC
 * (82093AA datasheet: IOREGSEL at +0x00, IOWIN at +0x10, redirection entries at 0x10 + 2n). */
#include "rt.h"

#define ICR_DELIVERY_PENDING (1u << 12)
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_INIT (5u << 8)
#define ICR_STARTUP (6u << 8)

u32 lapic_read(u32 reg) { return mmio_read32(LAPIC_BASE + reg); }
void lapic_write(u32 reg, u32 v) { mmio_write32(LAPIC_BASE + reg, v); }
u32 lapic_id(void) { return lapic_read(LAPIC_ID) >> 24; }
void lapic_eoi(void) { lapic_write(LAPIC_EOI, 0); }

void lapic_enable(void)
{
	lapic_write(0x080, 0);              /* TPR: accept every priority */
	lapic_write(LAPIC_SVR, 0x100 | 0xff); /* APIC software enable, spurious vector 0xff */
}

static void icr_send(u32 apic_id, u32 lo)
{
	lapic_write(LAPIC_ICR_HI, apic_id << 24);
	lapic_write(LAPIC_ICR_LO, lo);
	for (int i = 0; i < 1000000 && (lapic_read(LAPIC_ICR_LO) & ICR_DELIVERY_PENDING); i++)
		cpu_relax();
}

/* The universal start-up algorithm, SDM vol. 3 8.4.4.1: INIT, 10 ms, SIPI, 200 us, SIPI. */
void lapic_start_ap(u32 apic_id, u8 vector)
{
	icr_send(apic_id, ICR_INIT | ICR_LEVEL_ASSERT);
	delay_ms(10);
	for (int i = 0; i < 2; i++) {
		icr_send(apic_id, ICR_STARTUP | ICR_LEVEL_ASSERT | vector);
		delay_ms(1);
	}
}

u32 ioapic_read(u64 ioapic, u32 reg)
{
	mmio_write32(ioapic, reg);
	return mmio_read32(ioapic + 0x10);
}

static void ioapic_write(u64 ioapic, u32 reg, u32 v)
{
	mmio_write32(ioapic, reg);
	mmio_write32(ioapic + 0x10, v);
}

/* Fixed delivery, physical destination, active high, edge triggered, unmasked. */
void ioapic_route(u64 ioapic, u32 gsi, u8 vector, u32 dest_apic_id)
{
	ioapic_write(ioapic, 0x10 + 2 * gsi + 1, dest_apic_id << 24);
	ioapic_write(ioapic, 0x10 + 2 * gsi, vector);
}

/* As ioapic_route, but level triggered (bit 15), as the DSDT declares virtio-mmio interrupts. */
void ioapic_route_level(u64 ioapic, u32 gsi, u8 vector, u32 dest_apic_id)
{
	ioapic_write(ioapic, 0x10 + 2 * gsi + 1, dest_apic_id << 24);
	ioapic_write(ioapic, 0x10 + 2 * gsi, (1u << 15) | vector);
}
