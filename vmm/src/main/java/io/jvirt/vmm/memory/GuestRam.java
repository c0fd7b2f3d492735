package io.jvirt.vmm.memory;

import io.jvirt.sys.HostMemory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The x86 PC guest RAM layout: RAM from 0 up to the MMIO hole at 3 GiB, the rest from 4 GiB
 * (shared LAYOUT.md; IOAPIC at 0xfec00000 and LAPIC at 0xfee00000 live in the hole).
 * One anonymous host mapping backs both regions.
 */
public final class GuestRam {

    /** Start of the 32-bit MMIO hole (PCI/IOAPIC/LAPIC window), LAYOUT.md. */
    public static final long MMIO_HOLE_START = 3L << 30;
    /** Where RAM continues above the hole. */
    public static final long HIGH_RAM_START = 4L << 30;
    /** Smallest guest we accept: page tables, boot data and a small kernel need a few MiB. */
    public static final long MIN_SIZE = 16L << 20;

    private static final long PAGE = 4096;

    private GuestRam() {
    }

    /** The RAM regions for {@code size} bytes of guest RAM (size a multiple of 4 KiB). */
    public static List<GuestMemory.Region> layout(long size) {
        List<GuestMemory.Region> regions = new ArrayList<>(2);
        long low = Math.min(size, MMIO_HOLE_START);
        regions.add(new GuestMemory.Region(0, low, 0));
        if (size > low) {
            regions.add(new GuestMemory.Region(HIGH_RAM_START, size - low, low));
        }
        return regions;
    }

    /**
     * Maps {@code size} bytes of guest RAM (rounded up to 4 KiB), after {@link #check}ing it
     * against the host's MemTotal.
     */
    public static GuestMemory allocate(long size) {
        check(size, hostMemTotal());
        long rounded = (size + PAGE - 1) & -PAGE;
        HostMemory host = HostMemory.allocate(rounded);
        return new RegionMemory(host, layout(rounded));
    }

    /** Wraps an existing host block (which must be at least {@code size} bytes). */
    public static GuestMemory over(HostMemory host, long size) {
        if (host.size() < size) {
            throw new IllegalArgumentException("host block of " + host.size() + " bytes is smaller than " + size);
        }
        return new RegionMemory(host, layout(size));
    }

    /**
     * Refuses sizes below {@link #MIN_SIZE} or above {@code hostTotal} (0 = unknown) with a
     * one-line message naming the value and the fix.
     */
    public static void check(long size, long hostTotal) {
        if (size < MIN_SIZE) {
            throw new IllegalArgumentException("memory size " + human(size) + " is below the minimum of "
                    + human(MIN_SIZE) + "; raise --memory (e.g. --memory 256M)");
        }
        if (hostTotal > 0 && size > hostTotal) {
            throw new IllegalArgumentException("memory size " + human(size) + " is more than the host has ("
                    + human(hostTotal) + " MemTotal); lower --memory");
        }
    }

    /** The host's MemTotal from /proc/meminfo in bytes, or 0 when it cannot be read. */
    public static long hostMemTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    String[] f = line.substring(9).trim().split("\\s+");
                    return Long.parseLong(f[0]) * 1024; // proc(5): the value is in kB
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    /** 256 MiB, 1.5 GiB, 4096 bytes: sizes for messages. */
    public static String human(long bytes) {
        if (bytes >= (1L << 30) && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + " GiB";
        }
        if (bytes >= (1L << 20) && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        if (bytes >= (1L << 20)) {
            return String.format("%.1f MiB", bytes / (double) (1L << 20));
        }
        if (bytes >= 1024 && bytes % 1024 == 0) {
            return (bytes >> 10) + " KiB";
        }
        return bytes + " bytes";
    }
}
