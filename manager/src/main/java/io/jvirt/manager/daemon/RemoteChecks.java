package io.jvirt.manager.daemon;

import io.jvirt.manager.Connection;
import io.jvirt.manager.PoolInfo;
import io.jvirt.manager.VirtException;
import io.jvirt.manager.xml.DomainDefaults;
import io.jvirt.manager.xml.DomainXml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a client on TCP may not do that the store's owner on the unix socket may: point a
 * domain at any file the daemon can open (a disk, or a kernel or initrd, which the guest can
 * read back), or define a storage pool (which would make any directory a pool). A remote
 * client's files must lie inside an existing pool's target directory, after resolving ".." and
 * symbolic links.
 */
final class RemoteChecks {

    private RemoteChecks() {
    }

    static void disksInPools(Connection c, String xml, String source) throws VirtException {
        DomainXml def = DomainXml.parse(xml, source, DomainDefaults.JVIRT);
        List<Path> pools = poolDirectories(c);
        for (String[] f : new String[][] {{"kernel", def.kernel()}, {"initrd", def.initrd()}}) {
            if (f[1] != null && !inPool(pools, f[1])) {
                throw new VirtException(VirtException.Code.DENIED, "access denied: the " + f[0] + " of domain '" + def.name()
                        + "' is '" + f[1] + "', outside every storage pool; a remote client may only use files in a pool"
                        + " (upload it to a pool's directory)");
            }
        }
        for (DomainXml.Disk d : def.disks()) {
            if (d.source() == null) {
                continue;
            }
            if (inPool(pools, d.source())) {
                continue;
            }
            throw new VirtException(VirtException.Code.DENIED, "access denied: disk " + d.target() + " of domain '"
                    + def.name() + "' is '" + d.source() + "', outside every storage pool; a remote client may only"
                    + " use pool volumes (jvirt vol-create-as POOL ..., then <source file='VOLUME PATH'/>)");
        }
    }

    static VirtException poolsAreLocal() {
        return new VirtException(VirtException.Code.DENIED, "access denied: storage pools are defined, built and"
                + " undefined through the daemon's unix socket (the store's owner); a remote client uses existing pools");
    }

    /** The real paths of the pools' target directories, each resolved once per check. */
    private static List<Path> poolDirectories(Connection c) throws VirtException {
        List<Path> dirs = new ArrayList<>();
        for (PoolInfo pool : c.listPools()) {
            Path dir = pool.path() == null ? null : real(Path.of(pool.path()));
            if (dir != null) {
                dirs.add(dir);
            }
        }
        return dirs;
    }

    private static boolean inPool(List<Path> pools, String file) {
        Path p = real(Path.of(file));
        return p != null && pools.stream().anyMatch(p::startsWith);
    }

    /**
     * {@code p} with ".." and every symbolic link resolved, so a link inside a pool cannot point
     * out of it: the real path of the longest existing prefix, then the rest as written. Null
     * when a link on the way dangles or cannot be read (checked as outside every pool).
     */
    static Path real(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path existing = abs;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return abs;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(abs)).normalize();
        } catch (IOException e) {
            return null;
        }
    }
}
