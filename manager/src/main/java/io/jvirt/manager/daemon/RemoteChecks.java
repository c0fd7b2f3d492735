package io.jvirt.manager.daemon;

import io.jvirt.manager.Connection;
import io.jvirt.manager.PoolInfo;
import io.jvirt.manager.VirtException;
import io.jvirt.manager.xml.DomainDefaults;
import io.jvirt.manager.xml.DomainXml;
import java.nio.file.Path;

/**
 * What a client on TCP may not do that the store's owner on the unix socket may: point a
 * domain's disk at any file the daemon can open. A remote client's disks must be volumes of a
 * storage pool (inside a pool's target directory, after resolving "..").
 */
final class RemoteChecks {

    private RemoteChecks() {
    }

    static void disksInPools(Connection c, String xml, String source) throws VirtException {
        DomainXml def = DomainXml.parse(xml, source, DomainDefaults.JVIRT);
        for (DomainXml.Disk d : def.disks()) {
            if (d.source() == null) {
                continue;
            }
            Path p = Path.of(d.source()).toAbsolutePath().normalize();
            boolean inside = false;
            for (PoolInfo pool : c.listPools()) {
                if (pool.path() != null && p.startsWith(Path.of(pool.path()).toAbsolutePath().normalize())) {
                    inside = true;
                    break;
                }
            }
            if (!inside) {
                throw new VirtException(VirtException.Code.DENIED, "access denied: disk " + d.target() + " of domain '"
                        + def.name() + "' is '" + d.source() + "', outside every storage pool; a remote client may only"
                        + " use pool volumes (jvirt vol-create-as POOL ..., then <source file='VOLUME PATH'/>)");
            }
        }
    }
}
