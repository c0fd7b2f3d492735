package io.jvirt.net;

import java.util.HexFormat;

/**
 * One guest network card as {@code jvirt run --net tap=NAME[,mac=MAC]} names it: the host TAP
 * it is plugged into and its MAC address (default {@link #DEFAULT_MAC}, QEMU's first NIC's).
 */
public record Nic(String tap, String mac) {
    /** QEMU's default MAC for the first NIC (locally administered OUI 52:54:00). */
    public static final String DEFAULT_MAC = "52:54:00:12:34:56";
    private static final String USAGE = "; use tap=NAME[,mac=52:54:00:12:34:56]";

    public Nic {
        if (tap == null || !tap.matches("[A-Za-z0-9_.-]{1,15}")) {
            throw new IllegalArgumentException("TAP name '" + tap + "' is not a Linux interface name (1-15 of A-Z a-z 0-9 _ . -)" + USAGE);
        }
        try {
            macBytes(mac);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + USAGE, e);
        }
    }

    /** Parses {@code tap=NAME[,mac=MAC]}; one-line error naming the bad part otherwise. */
    public static Nic parse(String spec) {
        String tap = null;
        String mac = DEFAULT_MAC;
        for (String part : spec.split(",", -1)) {
            int eq = part.indexOf('=');
            String key = eq < 0 ? part : part.substring(0, eq);
            String value = eq < 0 ? "" : part.substring(eq + 1);
            switch (key) {
                case "tap" -> tap = value;
                case "mac" -> mac = value;
                default -> throw new IllegalArgumentException("--net '" + spec + "': unknown option '" + part + "'" + USAGE);
            }
        }
        if (tap == null) {
            throw new IllegalArgumentException("--net '" + spec + "': no tap=NAME" + USAGE);
        }
        return new Nic(tap, mac);
    }

    /** The MAC as 6 bytes. */
    public byte[] macBytes() {
        return macBytes(mac);
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff} (a unicast address) into 6 bytes. */
    public static byte[] macBytes(String text) {
        if (text == null || !text.matches("\\p{XDigit}{2}(:\\p{XDigit}{2}){5}")) {
            throw new IllegalArgumentException("MAC '" + text + "' is not six hex pairs like " + DEFAULT_MAC);
        }
        byte[] out = HexFormat.ofDelimiter(":").parseHex(text);
        if ((out[0] & 1) != 0) {
            throw new IllegalArgumentException("MAC '" + text + "' is a multicast address (lowest bit of the first byte set); use e.g. "
                    + DEFAULT_MAC);
        }
        return out;
    }
}
