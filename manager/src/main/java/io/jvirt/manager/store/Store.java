package io.jvirt.manager.store;

import io.jvirt.manager.VirtException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The manager's on-disk state, every change atomic ({@link AtomicFiles}):
 * <pre>
 * ROOT/domains/NAME.xml            persistent definitions
 * ROOT/domains/NAME.autostart      present when autostart is on
 * ROOT/snapshots/NAME/SNAP.xml     snapshot documents; ROOT/snapshots/NAME/current names the current one
 * ROOT/pools/NAME.xml              pool definitions; NAME.active when started
 * ROOT/networks/NAME.xml           network definitions; NAME.autostart when autostart is on
 * ROOT/run/networks/NAME.xml       a running network's live definition; NAME.pid/.conf/.leases/.nft
 *                                  are its dnsmasq and nftables files (io.jvirt.net.NetworkHost)
 * ROOT/run/NAME.json               a running domain: VMM pid, start time, control socket, id
 * ROOT/run/NAME.xml                its live definition
 * ROOT/run/jvirtd.sock             the daemon's API socket
 * </pre>
 * ROOT is /var/lib/jvirt for root and $XDG_DATA_HOME/jvirt (default ~/.local/share/jvirt)
 * otherwise; JVIRT_ROOT overrides both (tests).
 */
public final class Store {

    private final Path root;

    public Store(Path root) {
        this.root = root;
    }

    /** The default root for this user (see the class comment). */
    public static Path defaultRoot(boolean system) {
        String env = System.getenv("JVIRT_ROOT");
        if (env != null && !env.isEmpty()) {
            return Path.of(env);
        }
        if (system) {
            return Path.of("/var/lib/jvirt");
        }
        String xdg = System.getenv("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("jvirt");
    }

    public Path root() {
        return root;
    }

    public Path runDir() {
        return root.resolve("run");
    }

    public Path socket() {
        return runDir().resolve("jvirtd.sock");
    }

    /** Creates the layout (owner-only) and removes temp files an earlier crash left. */
    public void init() throws VirtException {
        try {
            for (String d : List.of("", "domains", "snapshots", "pools", "networks", "run", "run/networks")) {
                Path p = root.resolve(d);
                Files.createDirectories(p);
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
                AtomicFiles.sweep(p);
            }
        } catch (IOException e) {
            throw io("cannot create the jvirt store at " + root, e);
        }
    }

    static VirtException io(String what, IOException e) {
        return new VirtException(VirtException.Code.SYSTEM, what + ": " + e.getMessage(), e);
    }

    public void put(String relative, String text) throws VirtException {
        Path p = root.resolve(relative);
        try {
            AtomicFiles.write(p, text);
        } catch (IOException e) {
            throw io("cannot write " + p, e);
        }
    }

    public void remove(String relative) throws VirtException {
        Path p = root.resolve(relative);
        try {
            AtomicFiles.delete(p);
        } catch (IOException e) {
            throw io("cannot remove " + p, e);
        }
    }

    /** Removes a directory whose files are already gone (snapshots/NAME). */
    public void removeDir(String relative) throws VirtException {
        Path p = root.resolve(relative);
        try {
            if (Files.isDirectory(p)) {
                AtomicFiles.sweep(p);
                Files.deleteIfExists(p);
                AtomicFiles.syncDirectory(p.getParent());
            }
        } catch (IOException e) {
            throw io("cannot remove " + p, e);
        }
    }

    public Optional<String> get(String relative) throws VirtException {
        Path p = root.resolve(relative);
        try {
            return Optional.of(Files.readString(p, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw io("cannot read " + p, e);
        }
    }

    public boolean exists(String relative) {
        return Files.exists(root.resolve(relative));
    }

    /** Names of files in {@code dir} ending in {@code suffix}, without the suffix, sorted. */
    public List<String> list(String dir, String suffix) throws VirtException {
        Path p = root.resolve(dir);
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(p)) {
            return out;
        }
        try (var s = Files.list(p)) {
            for (Path f : s.sorted().toList()) {
                String n = f.getFileName().toString();
                if (n.endsWith(suffix) && !n.startsWith(".")) {
                    out.add(n.substring(0, n.length() - suffix.length()));
                }
            }
        } catch (IOException e) {
            throw io("cannot list " + p, e);
        }
        return out;
    }
}
