package io.jvirt.manager.driver;

import io.jvirt.manager.NetworkInfo;
import io.jvirt.manager.NetworkLease;
import io.jvirt.manager.VirtException;
import java.util.List;

/** The virtual-network part of a driver's {@link io.jvirt.manager.Connection}: calls go to {@link Networks}. */
abstract class NetworkConnection extends StorageConnection {

    final Networks networks;

    NetworkConnection(Volumes volumes, Persistence persistence) {
        super(volumes, persistence);
        this.networks = new Networks(lock, persistence);
    }

    @Override
    public List<NetworkInfo> listNetworks() {
        return networks.list();
    }

    @Override
    public NetworkInfo network(String nameOrUuid) throws VirtException {
        return networks.get(nameOrUuid);
    }

    @Override
    public NetworkInfo defineNetwork(String xml, String source) throws VirtException {
        return networks.define(xml, source);
    }

    @Override
    public NetworkInfo createNetwork(String xml, String source) throws VirtException {
        return networks.create(xml, source);
    }

    @Override
    public void startNetwork(String network) throws VirtException {
        networks.start(network);
    }

    @Override
    public void destroyNetwork(String network) throws VirtException {
        networks.destroy(network);
    }

    @Override
    public void undefineNetwork(String network) throws VirtException {
        networks.undefine(network);
    }

    @Override
    public void setNetworkAutostart(String network, boolean autostart) throws VirtException {
        networks.setAutostart(network, autostart);
    }

    @Override
    public String networkXml(String network, boolean inactive) throws VirtException {
        return networks.xml(network, inactive);
    }

    @Override
    public List<NetworkLease> networkLeases(String network) throws VirtException {
        return networks.leases(network);
    }
}
