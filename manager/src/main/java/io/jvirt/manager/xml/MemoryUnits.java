package io.jvirt.manager.xml;

import io.jvirt.manager.VirtException;
import java.util.Locale;

/**
 * libvirt's scaled-integer units (formatdomain "Memory Allocation": b/bytes, KB=10^3,
 * k/KiB=2^10, MB, M/MiB, GB, G/GiB, TB, T/TiB, PB, P/PiB, EB, E/EiB; the default is KiB).
 */
public final class MemoryUnits {

    private MemoryUnits() {
    }

    /** Bytes per unit; throws libvirt's "unknown suffix" error for anything else. */
    public static long bytesPer(String unit) throws VirtException {
        if (unit == null || unit.isEmpty()) {
            return 1024;
        }
        String u = unit.toLowerCase(Locale.ROOT);
        return switch (u) {
            case "b", "byte", "bytes" -> 1;
            case "kb" -> 1000L;
            case "k", "kib" -> 1L << 10;
            case "mb" -> 1000_000L;
            case "m", "mib" -> 1L << 20;
            case "gb" -> 1000_000_000L;
            case "g", "gib" -> 1L << 30;
            case "tb" -> 1000_000_000_000L;
            case "t", "tib" -> 1L << 40;
            case "pb" -> 1000_000_000_000_000L;
            case "p", "pib" -> 1L << 50;
            case "eb" -> 1000_000_000_000_000_000L;
            case "e", "eib" -> 1L << 60;
            default -> throw VirtException.invalidArg("unknown suffix '" + unit + "'");
        };
    }

    /**
     * Parses a size such as "10M", "1G", "512K" or "4096" (bytes when no suffix) as virsh's
     * vol-create-as and vol-resize do.
     */
    public static long parseSize(String text) throws VirtException {
        int i = 0;
        while (i < text.length() && Character.isDigit(text.charAt(i))) {
            i++;
        }
        if (i == 0) {
            throw VirtException.invalidArg("malformed size '" + text + "'; use a number with an optional suffix such as 10M or 1G");
        }
        long n = Long.parseLong(text.substring(0, i));
        String suffix = text.substring(i);
        long per = suffix.isEmpty() ? 1 : bytesPer(suffix);
        return Math.multiplyExact(n, per);
    }

    /** virsh's human size: "10.00 MiB", "1.00 GiB", "0.00 B" (vshPrettyCapacity). */
    public static String pretty(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f %s", v, units[u]);
    }
}
