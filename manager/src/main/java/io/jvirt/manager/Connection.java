package io.jvirt.manager;

import java.util.List;
import java.util.Optional;

/**
 * A connection to a hypervisor driver, libvirt's virConnect: {@code test:///default} (in memory,
 * libvirt's test fixture), {@code jvirt:///system} and {@code jvirt:///session} (the daemon).
 * Every method either completes or throws {@link VirtException} with the state unchanged.
 * Domains are named by name, UUID or (when running) id.
 */
public interface Connection extends AutoCloseable {

    String uri();

    List<DomainInfo> listDomains() throws VirtException;

    DomainInfo domain(String nameUuidOrId) throws VirtException;

    /** Defines (or redefines, by matching name and UUID) a persistent domain. */
    DomainInfo define(String xml, String source) throws VirtException;

    /** Starts a transient domain from XML. */
    DomainInfo create(String xml, String source) throws VirtException;

    void undefine(String domain) throws VirtException;

    void start(String domain) throws VirtException;

    void shutdown(String domain) throws VirtException;

    void destroy(String domain) throws VirtException;

    void reboot(String domain) throws VirtException;

    void reset(String domain) throws VirtException;

    void suspend(String domain) throws VirtException;

    void resume(String domain) throws VirtException;

    /** The domain XML; the live definition while running unless {@code inactive}. */
    String dumpXml(String domain, boolean inactive) throws VirtException;

    void setAutostart(String domain, boolean autostart) throws VirtException;

    /** Creates a snapshot; a null name means libvirt's default, the creation time in epoch seconds. */
    SnapshotInfo createSnapshot(String domain, String name, String description) throws VirtException;

    List<SnapshotInfo> listSnapshots(String domain) throws VirtException;

    Optional<SnapshotInfo> currentSnapshot(String domain) throws VirtException;

    String snapshotXml(String domain, String snapshot) throws VirtException;

    void revertSnapshot(String domain, String snapshot) throws VirtException;

    void deleteSnapshot(String domain, String snapshot) throws VirtException;

    List<PoolInfo> listPools() throws VirtException;

    PoolInfo pool(String name) throws VirtException;

    void definePool(String name, String type, String targetPath) throws VirtException;

    void buildPool(String name) throws VirtException;

    void startPool(String name) throws VirtException;

    void destroyPool(String name) throws VirtException;

    void undefinePool(String name) throws VirtException;

    List<VolumeInfo> listVolumes(String pool) throws VirtException;

    VolumeInfo volume(String pool, String name) throws VirtException;

    VolumeInfo createVolume(String pool, String name, long capacity, String format) throws VirtException;

    void deleteVolume(String pool, String name) throws VirtException;

    VolumeInfo cloneVolume(String pool, String source, String name) throws VirtException;

    /** Resizes; shrinking needs {@code shrink} (virsh vol-resize --shrink). */
    void resizeVolume(String pool, String name, long capacity, boolean shrink) throws VirtException;

    /** The file the domain's serial console output goes to; the domain must be running. */
    String consolePath(String domain) throws VirtException;

    /** Attaches to the running domain's serial console, output and input (virsh console). */
    default ConsoleSession openConsole(String domain) throws VirtException {
        throw new VirtException(VirtException.Code.UNSUPPORTED,
                "this function is not supported by the connection driver: virDomainOpenConsole");
    }

    /**
     * Virtual networks (formatnetwork): test:///default has libvirt's 'default' NAT network; the
     * jvirt driver builds bridges, nftables rules and dnsmasq on the host ({@code io.jvirt.net}).
     */
    default List<NetworkInfo> listNetworks() throws VirtException {
        return List.of();
    }

    /** The network named by name or UUID. */
    default NetworkInfo network(String nameOrUuid) throws VirtException {
        for (NetworkInfo n : listNetworks()) {
            if (n.name().equals(nameOrUuid) || n.uuid().toString().equalsIgnoreCase(nameOrUuid)) {
                return n;
            }
        }
        throw VirtException.noNetwork(nameOrUuid);
    }

    /** Defines (or redefines, by matching name and UUID) a persistent network; a running one keeps its live definition. */
    default NetworkInfo defineNetwork(String xml, String source) throws VirtException {
        throw unsupported("virNetworkDefineXML");
    }

    /** Starts a transient network from XML. */
    default NetworkInfo createNetwork(String xml, String source) throws VirtException {
        throw unsupported("virNetworkCreateXML");
    }

    default void startNetwork(String network) throws VirtException {
        throw unsupported("virNetworkCreate");
    }

    default void destroyNetwork(String network) throws VirtException {
        throw unsupported("virNetworkDestroy");
    }

    /** Removes the persistent definition; a running network keeps running as a transient one. */
    default void undefineNetwork(String network) throws VirtException {
        throw unsupported("virNetworkUndefine");
    }

    default void setNetworkAutostart(String network, boolean autostart) throws VirtException {
        throw unsupported("virNetworkSetAutostart");
    }

    /** The network XML; the live definition while running unless {@code inactive}. */
    default String networkXml(String network, boolean inactive) throws VirtException {
        return network(network).xml();
    }

    /** The DHCP leases the network's dnsmasq handed out (virNetworkGetDHCPLeases). */
    default List<NetworkLease> networkLeases(String network) throws VirtException {
        throw unsupported("virNetworkGetDHCPLeases");
    }

    private static VirtException unsupported(String function) {
        return new VirtException(VirtException.Code.UNSUPPORTED,
                "this function is not supported by the connection driver: " + function);
    }

    /**
     * Delivers lifecycle events to {@code listener} until the returned handle is closed
     * (virConnectDomainEventRegisterAny). Listeners run on an event thread and must not block.
     */
    default AutoCloseable subscribe(java.util.function.Consumer<DomainEvent> listener) throws VirtException {
        throw new VirtException(VirtException.Code.UNSUPPORTED,
                "this function is not supported by the connection driver: virConnectDomainEventRegisterAny");
    }

    /** The security model dominfo shows (libvirt's test driver has "testSecurity"), or null. */
    default String securityModel() {
        return null;
    }

    @Override
    void close();
}
