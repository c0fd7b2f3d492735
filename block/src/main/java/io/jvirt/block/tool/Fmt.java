package io.jvirt.block.tool;

import io.jvirt.block.BlockException;
import java.math.BigDecimal;
import java.math.MathContext;

/** Size parsing and printing the way qemu-img does (qemu_strtosz, size_to_str). */
final class Fmt {

    private static final String[] SUFFIX = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};

    private Fmt() {
    }

    /** "1G", "512", "1.5M", "64k", "100b" to bytes; suffixes are powers of 1024. */
    static long parseSize(String what, String s) throws BlockException {
        String t = s.trim();
        if (t.isEmpty()) {
            throw badSize(what, s);
        }
        long mult = 1;
        char last = Character.toUpperCase(t.charAt(t.length() - 1));
        int shift = "BKMGTPE".indexOf(last);
        if (shift >= 0) {
            mult = shift == 0 ? 1 : 1L << (10 * shift);
            t = t.substring(0, t.length() - 1);
        }
        try {
            BigDecimal v = new BigDecimal(t).multiply(BigDecimal.valueOf(mult));
            if (v.signum() < 0 || v.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
                throw badSize(what, s);
            }
            return v.setScale(0, java.math.RoundingMode.CEILING).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw badSize(what, s);
        }
    }

    private static BlockException badSize(String what, String s) {
        return new BlockException(what + ": invalid size '" + s + "'; give bytes or a number "
                + "with suffix k, M, G, T, P or E (e.g. 10G)");
    }

    /** qemu's size_to_str: 3 significant digits with a binary suffix ("196 KiB", "1 GiB"). */
    static String size(long v) {
        int i = 0;
        double d;
        // qemu divides by 1000/1024 first, so 1000 KiB prints as 0.977 MiB
        double probe = v / (1000.0 / 1024.0);
        while (probe >= 1024 && i < SUFFIX.length - 1) {
            probe /= 1024;
            i++;
        }
        d = v / Math.pow(1024, i);
        return g3(d) + " " + SUFFIX[i] + "B";
    }

    /** C's %0.3g for values in [0.9, 1024). */
    static String g3(double d) {
        BigDecimal b = new BigDecimal(d).round(new MathContext(3));
        return b.stripTrailingZeros().toPlainString();
    }

    static String hexAlt(long v) {
        return v == 0 ? "0" : "0x" + Long.toHexString(v);
    }

    static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
