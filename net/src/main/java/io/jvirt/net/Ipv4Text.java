package io.jvirt.net;

/** Dotted-quad IPv4 addresses as ints (RFC 791 addresses, network byte order in the int's bits). */
public final class Ipv4Text {

    private Ipv4Text() {
    }

    /** Parses a.b.c.d; throws IllegalArgumentException naming the text otherwise. */
    public static int parse(String text) {
        String[] p = text == null ? new String[0] : text.split("\\.", -1);
        if (p.length != 4) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 address like 192.168.122.1");
        }
        int v = 0;
        for (String s : p) {
            if (!s.matches("[0-9]{1,3}") || Integer.parseInt(s) > 255) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address like 192.168.122.1");
            }
            v = (v << 8) | Integer.parseInt(s);
        }
        return v;
    }

    public static String format(int v) {
        return (v >>> 24) + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff) + "." + (v & 0xff);
    }

    /** True when {@code text} parses. */
    public static boolean valid(String text) {
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The prefix length of a contiguous netmask (255.255.255.0 is 24), or -1 when not contiguous. */
    public static int prefixOf(String netmask) {
        int m = parse(netmask);
        int len = Integer.bitCount(m);
        int expect = len == 0 ? 0 : -1 << (32 - len);
        return m == expect ? len : -1;
    }

    /** True when {@code a} and {@code b} share the first {@code prefix} bits. */
    public static boolean sameSubnet(String a, String b, int prefix) {
        int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        return (parse(a) & mask) == (parse(b) & mask);
    }
}
