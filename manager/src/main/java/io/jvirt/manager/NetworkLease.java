package io.jvirt.manager;

/**
 * One DHCP lease as virsh net-dhcp-leases shows it (virNetworkDHCPLease): expiry in seconds since
 * the epoch (0: never), the client's MAC, its IPv4 address with the network's prefix, and the
 * hostname and client id it sent (null when it sent none).
 */
public record NetworkLease(long expiry, String mac, String ip, int prefix, String hostname, String clientId) {
}
