package io.jvirt.manager.driver;

import io.jvirt.manager.Connection;
import io.jvirt.manager.VirtException;
import io.jvirt.manager.xml.DomainDefaults;
import java.util.UUID;

/**
 * libvirt's {@code test:///default}: an in-memory driver with libvirt's default fixture (domain
 * 'test' running as id 1, network 'default' active, pool 'default-pool' at /default-pool). Every connection starts fresh.
 */
public final class TestDriver {

    // The fixture of libvirt's src/test/test_driver.c (defaultDomainXML, defaultPoolXML).
    private static final String TEST_DOMAIN = """
            <domain type='test'>
              <name>test</name>
              <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>
              <memory>8388608</memory>
              <currentMemory>2097152</currentMemory>
              <vcpu>2</vcpu>
              <os><type>hvm</type></os>
              <devices>
                <disk type='file' device='disk'>
                  <source file='/guest/diskimage1'/>
                  <target dev='vda' bus='virtio'/>
                  <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
                </disk>
                <interface type='network'>
                  <mac address='aa:bb:cc:dd:ee:ff'/>
                  <source network='default'/>
                  <target dev='testnet0'/>
                  <address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x0'/>
                </interface>
                <memballoon model='virtio'>
                  <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>
                </memballoon>
              </devices>
            </domain>
            """;
    // test_driver.c defaultNetworkXML.
    private static final String DEFAULT_NETWORK = """
            <network>
              <name>default</name>
              <uuid>dd8fe884-6c02-601e-7551-cca97df1c5df</uuid>
              <bridge name='virbr0'/>
              <forward/>
              <ip address='192.168.122.1' netmask='255.255.255.0'>
                <dhcp>
                  <range start='192.168.122.2' end='192.168.122.254'/>
                </dhcp>
              </ip>
            </network>
            """;
    private static final UUID DEFAULT_POOL_UUID = UUID.fromString("dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566");

    private TestDriver() {
    }

    public static final String URI = "test:///default";

    /** A fresh test:///default connection. */
    public static Connection open() {
        Driver d = new Driver(URI, DomainDefaults.TEST, Runtime.IMMEDIATE, Persistence.NONE, new MemoryVolumes());
        d.securityModel = "testSecurity";
        try {
            d.defineNetwork(DEFAULT_NETWORK, "default");
            d.startNetwork("default");
            d.define(TEST_DOMAIN, "test");
            d.start("test");
            d.find("test").reason = "unknown";
        } catch (VirtException e) {
            throw new IllegalStateException("test:///default fixture does not parse: " + e.getMessage(), e);
        }
        Pool p = new Pool("default-pool", DEFAULT_POOL_UUID, "/default-pool");
        p.active = true;
        d.pools.add(p);
        return d;
    }
}
