package io.jvirt.manager.driver;

import io.jvirt.manager.PoolInfo;
import io.jvirt.manager.xml.XmlText;
import java.util.UUID;

/** One directory pool's definition and state; guarded by the driver's lock. */
final class Pool {
    final String name;
    final UUID uuid;
    final String path;
    boolean active;
    boolean autostart;

    Pool(String name, UUID uuid, String path) {
        this.name = name;
        this.uuid = uuid;
        this.path = path;
    }

    PoolInfo info(long capacity, long allocation, long available) {
        return new PoolInfo(name, uuid, "dir", path, active, autostart, true, capacity, allocation, available);
    }

    /** libvirt's formatstorage &lt;pool type='dir'&gt; (what pool-dumpxml shows and the store keeps). */
    String xml() {
        return "<pool type='dir'>\n  <name>" + XmlText.escape(name, false) + "</name>\n  <uuid>" + uuid
                + "</uuid>\n  <target>\n    <path>" + XmlText.escape(path, false) + "</path>\n  </target>\n</pool>\n";
    }
}
