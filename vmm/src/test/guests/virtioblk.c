/*
 * virtioblk: a minimal virtio-mmio (virtio 1.2 section 4.2, version 2) virtio-blk driver
 * (section 5.2). The command line names the device: "blk=0xd0000000:5" (register window and
 * GSI). It negotiates VERSION_1 (+FLUSH), sets up queue 0 with 8 entries, routes the GSI level
 * triggered (as the DSDT declares it) and then, one request at a time, waiting for both the
 * used ring and the interrupt: reads sectors 0 and 7 (the test wrote "JVIRT-SECTOR-<n>" at
 * the start of each), writes sector 3, flushes, reads sector 3 back, reads the serial (GET_ID).
 */
#include "rt/rt.h"

#define VECTOR 0x31
#define QSZ 8
#define SECTOR 512

/* Registers, section 4.2.2. */
#define R_MAGIC 0x000
#define R_VERSION 0x004
#define R_DEVICE_ID 0x008
#define R_DEVICE_FEATURES 0x010
#define R_DEVICE_FEATURES_SEL 0x014
#define R_DRIVER_FEATURES 0x020
#define R_DRIVER_FEATURES_SEL 0x024
#define R_QUEUE_SEL 0x030
#define R_QUEUE_NUM_MAX 0x034
#define R_QUEUE_NUM 0x038
#define R_QUEUE_READY 0x044
#define R_QUEUE_NOTIFY 0x050
#define R_INTERRUPT_STATUS 0x060
#define R_INTERRUPT_ACK 0x064
#define R_STATUS 0x070
#define R_QUEUE_DESC 0x080
#define R_QUEUE_DRIVER 0x090
#define R_QUEUE_DEVICE 0x0a0

/* Status bits, section 2.1. */
#define S_ACKNOWLEDGE 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8
#define S_NEEDS_RESET 64

#define F_BLK_FLUSH 9
#define F_VERSION_1 32

#define DESC_F_NEXT 1
#define DESC_F_WRITE 2

#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define T_GET_ID 8

struct vdesc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
};
struct vavail {
	u16 flags;
	u16 idx;
	u16 ring[QSZ];
	u16 used_event;
};
struct vused_elem {
	u32 id;
	u32 len;
};
struct vused {
	u16 flags;
	u16 idx;
	struct vused_elem ring[QSZ];
	u16 avail_event;
};
struct blk_hdr {
	u32 type;
	u32 reserved;
	u64 sector;
};

static struct vdesc desc[QSZ] __attribute__((aligned(4096)));
static struct vavail avail __attribute__((aligned(4096)));
static volatile struct vused used __attribute__((aligned(4096)));
static struct blk_hdr hdr __attribute__((aligned(16)));
static u8 data[4 * SECTOR] __attribute__((aligned(4096)));
static volatile u8 status_byte;

static u64 base;
static volatile int irqs, used_irqs;
static int requests;

static u32 rd(u32 reg) { return mmio_read32(base + reg); }
static void wr(u32 reg, u32 v) { mmio_write32(base + reg, v); }

static void blk_irq(struct frame *f)
{
	(void)f;
	u32 st = rd(R_INTERRUPT_STATUS);
	wr(R_INTERRUPT_ACK, st);
	irqs++;
	if (st & 1)
		used_irqs++;
	lapic_eoi();
}

static u64 parse_number(const char **p)
{
	const char *s = *p;
	u64 v = 0;
	int hex = s[0] == '0' && s[1] == 'x';
	if (hex)
		s += 2;
	for (;; s++) {
		char c = *s;
		if (c >= '0' && c <= '9')
			v = v * (hex ? 16 : 10) + (u64)(c - '0');
		else if (hex && c >= 'a' && c <= 'f')
			v = v * 16 + (u64)(c - 'a' + 10);
		else
			break;
	}
	*p = s;
	return v;
}

/* "blk=BASE:GSI" somewhere on the command line; 0 if absent. */
static int parse_cmdline(u64 *b, u32 *gsi)
{
	const char *s = boot_cmdline();
	for (; *s; s++) {
		if (s[0] == 'b' && s[1] == 'l' && s[2] == 'k' && s[3] == '=') {
			s += 4;
			*b = parse_number(&s);
			if (*s != ':')
				return 0;
			s++;
			*gsi = (u32)parse_number(&s);
			return 1;
		}
	}
	return 0;
}

/* Posts header + (data) + status as one chain, notifies, waits for the used entry and the interrupt. */
static int request(u32 type, u64 sector, u32 len, int device_writes)
{
	hdr.type = type;
	hdr.reserved = 0;
	hdr.sector = sector;
	status_byte = 0xff;
	int n = 0;
	desc[n] = (struct vdesc){(u64)&hdr, sizeof(hdr), DESC_F_NEXT, 1};
	n++;
	if (len) {
		desc[n] = (struct vdesc){(u64)data, len, (u16)(DESC_F_NEXT | (device_writes ? DESC_F_WRITE : 0)), 2};
		n++;
	}
	desc[n] = (struct vdesc){(u64)&status_byte, 1, DESC_F_WRITE, 0};
	u16 want = (u16)(used.idx + 1);
	int irq_before = used_irqs;
	avail.ring[avail.idx % QSZ] = 0;
	__asm__ volatile("mfence" ::: "memory");
	avail.idx++;
	__asm__ volatile("mfence" ::: "memory");
	requests++;
	wr(R_QUEUE_NOTIFY, 0);
	u64 end = rdtsc() + 30000 * TSC_PER_MS;
	while ((used.idx != want || used_irqs == irq_before) && rdtsc() < end)
		cpu_relax();
	if (used.idx != want) {
		printf("VIRTIO-BLK-FAIL: request type %u sector %lu: no used entry (status reg 0x%x)\n", type, sector,
		       rd(R_STATUS));
		return -1;
	}
	if (used_irqs == irq_before) {
		printf("VIRTIO-BLK-FAIL: request type %u sector %lu completed without an interrupt\n", type, sector);
		return -1;
	}
	if (status_byte != 0) {
		printf("VIRTIO-BLK-FAIL: request type %u sector %lu: status %u\n", type, sector, status_byte);
		return -1;
	}
	return 0;
}

static int starts_with(const u8 *p, const char *s)
{
	return memcmp(p, s, strlen(s)) == 0;
}

static int setup(u32 gsi)
{
	if (rd(R_MAGIC) != 0x74726976 || rd(R_VERSION) != 2 || rd(R_DEVICE_ID) != 2) {
		printf("VIRTIO-BLK-FAIL: no virtio-mmio v2 block device at 0x%lx (magic 0x%x version %u id %u)\n", base,
		       rd(R_MAGIC), rd(R_VERSION), rd(R_DEVICE_ID));
		return -1;
	}
	wr(R_STATUS, 0);
	wr(R_STATUS, S_ACKNOWLEDGE);
	wr(R_STATUS, S_ACKNOWLEDGE | S_DRIVER);
	wr(R_DEVICE_FEATURES_SEL, 0);
	u32 lo = rd(R_DEVICE_FEATURES);
	wr(R_DEVICE_FEATURES_SEL, 1);
	u32 hi = rd(R_DEVICE_FEATURES);
	if (!(hi & 1)) {
		printf("VIRTIO-BLK-FAIL: VERSION_1 not offered (features 0x%x%08x)\n", hi, lo);
		return -1;
	}
	wr(R_DRIVER_FEATURES_SEL, 0);
	wr(R_DRIVER_FEATURES, lo & (1u << F_BLK_FLUSH));
	wr(R_DRIVER_FEATURES_SEL, 1);
	wr(R_DRIVER_FEATURES, 1u << (F_VERSION_1 - 32));
	wr(R_STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK);
	if (!(rd(R_STATUS) & S_FEATURES_OK)) {
		printf("VIRTIO-BLK-FAIL: the device refused our features\n");
		return -1;
	}
	wr(R_QUEUE_SEL, 0);
	if (rd(R_QUEUE_NUM_MAX) < QSZ) {
		printf("VIRTIO-BLK-FAIL: queue 0 max size %u < %u\n", rd(R_QUEUE_NUM_MAX), QSZ);
		return -1;
	}
	wr(R_QUEUE_NUM, QSZ);
	wr(R_QUEUE_DESC, (u32)(u64)desc);
	wr(R_QUEUE_DESC + 4, (u32)((u64)desc >> 32));
	wr(R_QUEUE_DRIVER, (u32)(u64)&avail);
	wr(R_QUEUE_DRIVER + 4, (u32)((u64)&avail >> 32));
	wr(R_QUEUE_DEVICE, (u32)(u64)&used);
	wr(R_QUEUE_DEVICE + 4, (u32)((u64)&used >> 32));
	wr(R_QUEUE_READY, 1);

	struct madt_info m;
	acpi_madt(&m);
	lapic_enable();
	set_handler(VECTOR, blk_irq);
	ioapic_route_level(m.ioapic_addr, gsi, VECTOR, lapic_id());
	wr(R_STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	sti();
	printf("VIRTIO-BLK: device at 0x%lx GSI %u, features 0x%x%08x, queue 0 of %u\n", base, gsi, hi, lo, QSZ);
	return 0;
}

void guest_main(void)
{
	u32 gsi;
	if (!parse_cmdline(&base, &gsi)) {
		printf("VIRTIO-BLK-FAIL: no blk=BASE:GSI on the command line '%s'\n", boot_cmdline());
		return;
	}
	if (setup(gsi))
		return;
	if (request(T_IN, 0, 2 * SECTOR, 1))
		return;
	if (!starts_with(data, "JVIRT-SECTOR-0") || !starts_with(data + SECTOR, "JVIRT-SECTOR-1")) {
		printf("VIRTIO-BLK-FAIL: sectors 0-1 read '%.14s' '%.14s'\n", data, data + SECTOR);
		return;
	}
	if (request(T_IN, 7, SECTOR, 1))
		return;
	printf("VIRTIO-BLK: sector 7 reads '%.14s'\n", data);
	if (!starts_with(data, "JVIRT-SECTOR-7"))
		return;
	memset(data, 0, SECTOR);
	const char *msg = "WRITTEN-BY-VIRTIOBLK-GUEST";
	memcpy(data, msg, strlen(msg));
	for (int i = 64; i < SECTOR; i++)
		data[i] = (u8)i;
	if (request(T_OUT, 3, SECTOR, 0) || request(T_FLUSH, 0, 0, 0))
		return;
	memset(data, 0, SECTOR);
	if (request(T_IN, 3, SECTOR, 1))
		return;
	if (!starts_with(data, msg) || data[100] != 100) {
		printf("VIRTIO-BLK-FAIL: sector 3 reads back '%.26s'\n", data);
		return;
	}
	memset(data, 0, 32);
	if (request(T_GET_ID, 0, 20, 1))
		return;
	printf("VIRTIO-BLK: serial '%.20s'\n", data);
	cli();
	printf("VIRTIO-BLK-OK requests=%d interrupts=%d used-buffer=%d\n", requests, irqs, used_irqs);
}
