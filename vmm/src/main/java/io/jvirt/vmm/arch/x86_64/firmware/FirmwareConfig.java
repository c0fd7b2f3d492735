package io.jvirt.vmm.arch.x86_64.firmware;

import java.util.List;

/**
 * What the firmware tables describe: the number of vCPUs (APIC IDs 0..cpus-1, CPU 0 the
 * bootstrap processor) and the virtio-mmio devices to announce (DSDT devices "LNRO0005" with
 * their register window and interrupt, as Linux's virtio_mmio driver matches them).
 */
public record FirmwareConfig(int cpus, List<VirtioMmio> virtioMmio) {

    /** Most CPUs the tables describe: xAPIC IDs are 8 bits and 0xff is the broadcast ID. */
    public static final int MAX_CPUS = 254;
    /** Most virtio-mmio devices: DSDT device names VR00..VRFF. */
    public static final int MAX_VIRTIO_MMIO = 256;

    /** One virtio-mmio transport: its MMIO window and the GSI of its (level, active-high) interrupt. */
    public record VirtioMmio(long base, long size, int gsi) {
        /** Highest GSI: the IOAPIC has 24 inputs (82093AA datasheet; KVM's in-kernel IOAPIC too). */
        public static final int MAX_GSI = 23;

        /** GSIs the tables already give to other devices: PIT (IRQ0 on GSI 2), i8042, COM1, RTC, SCI. */
        public static final java.util.Set<Integer> RESERVED_GSIS = java.util.Set.of(0, 1, 2, 4, 8, 9);

        /**
         * The kernel parameter that announces this device without ACPI (for acpi=off guests;
         * with ACPI the DSDT already does, and naming it twice makes two drivers fight over it):
         * {@code virtio_mmio.device=<size>@<base>:<irq>}, Linux drivers/virtio/virtio_mmio.c.
         */
        public String kernelParameter() {
            return String.format("virtio_mmio.device=%d@0x%x:%d", size, base, gsi);
        }

        public VirtioMmio {
            if (base < 0 || size <= 0 || base + size > 0x1_0000_0000L) {
                throw new IllegalArgumentException(String.format(
                        "virtio-mmio window 0x%x+0x%x is not below 4 GiB; pick a window in the MMIO hole 0xc0000000-0xfebfffff",
                        base, size));
            }
            if (gsi < 0 || gsi > MAX_GSI) {
                throw new IllegalArgumentException("virtio-mmio at 0x" + Long.toHexString(base) + ": GSI " + gsi
                        + " is not an IOAPIC input; use 0.." + MAX_GSI);
            }
            if (RESERVED_GSIS.contains(gsi)) {
                throw new IllegalArgumentException("virtio-mmio at 0x" + Long.toHexString(base) + ": GSI " + gsi
                        + " belongs to a legacy device " + RESERVED_GSIS + "; use 5 or 10..23");
            }
        }
    }

    public FirmwareConfig {
        if (cpus < 1 || cpus > MAX_CPUS) {
            throw new IllegalArgumentException("firmware tables: " + cpus + " CPUs; use 1.." + MAX_CPUS);
        }
        virtioMmio = List.copyOf(virtioMmio);
        if (virtioMmio.size() > MAX_VIRTIO_MMIO) {
            throw new IllegalArgumentException("firmware tables: " + virtioMmio.size()
                    + " virtio-mmio devices; the DSDT names them VR00..VRFF, use at most " + MAX_VIRTIO_MMIO);
        }
    }

    /** {@code cpus} CPUs and no virtio devices. */
    public FirmwareConfig(int cpus) {
        this(cpus, List.of());
    }

    /** {@code cpus} CPUs and no virtio devices. */
    public static FirmwareConfig of(int cpus) {
        return new FirmwareConfig(cpus, List.of());
    }
}
