package io.jvirt.net;

/**
 * One line of dnsmasq's lease file ({@code dhcp-leasefile}, dnsmasq's lease.c writes
 * "EXPIRY MAC IP HOSTNAME CLIENTID", with {@code *} for an unknown hostname or client id and
 * expiry 0 for an infinite lease).
 *
 * @param expiry   seconds since the epoch when the lease ends, 0 for never
 * @param hostname the client's name, or null
 * @param clientId the client id (DHCP option 61), or null
 */
public record DhcpLease(long expiry, String mac, String ip, String hostname, String clientId) {

    /** Parses one lease-file line; null for lines that are not IPv4 leases (the IPv6 "duid" line). */
    static DhcpLease parse(String line) {
        String[] f = line.strip().split("\\s+");
        if (f.length < 4 || f[0].equals("duid") || !f[0].matches("[0-9]+") || !Ipv4Text.valid(f[2])) {
            return null;
        }
        return new DhcpLease(Long.parseLong(f[0]), f[1], f[2], star(f[3]), f.length > 4 ? star(f[4]) : null);
    }

    private static String star(String s) {
        return s.equals("*") ? null : s;
    }
}
