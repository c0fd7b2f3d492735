package io.jvirt.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** {@link NetworkHost} through iproute2, nft(8), sysctl(8) and dnsmasq(8), optionally inside a namespace. */
final class HostNetworks implements NetworkHost {

    private static final System.Logger LOG = System.getLogger(HostNetworks.class.getName());
    /** How long dnsmasq gets to write its pid file, and to exit after SIGTERM. */
    private static final long WAIT_MILLIS = 10_000;

    private final List<String> prefix;
    private final Path dir;

    HostNetworks(List<String> prefix, Path stateDir) {
        this.prefix = List.copyOf(prefix);
        this.dir = stateDir;
    }

    private String run(String... command) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(command));
        return Commands.run(cmd);
    }

    private boolean quietly(String... command) {
        try {
            run(command);
            return true;
        } catch (NetException e) {
            return false;
        }
    }

    Path file(String network, String suffix) {
        return dir.resolve(network + suffix);
    }

    @Override
    public boolean interfaceExists(String ifname) {
        return quietly("ip", "link", "show", "dev", ifname);
    }

    @Override
    public long start(BridgeNetwork n) {
        if (interfaceExists(n.bridge())) {
            throw new NetException("cannot create bridge '" + n.bridge() + "' of network '" + n.name()
                    + "': an interface of that name exists; use another <bridge name=...> or remove it (ip link del "
                    + n.bridge() + ")");
        }
        try {
            Files.createDirectories(dir);
            createBridge(n);
            firewall(n);
            return n.ip() == null ? 0 : startDnsmasq(n);
        } catch (IOException e) {
            stop(n);
            throw new NetException("cannot write the state files of network '" + n.name() + "' in " + dir + ": " + e.getMessage(), e);
        } catch (NetException e) {
            stop(n);
            throw e;
        }
    }

    /** Replaces the network's nftables table (one transaction) and turns on forwarding for nat and route. */
    private void firewall(BridgeNetwork n) throws IOException {
        Path nft = file(n.name(), ".nft");
        Files.writeString(nft, Firewall.script(n), StandardCharsets.UTF_8);
        run("nft", "-f", nft.toString());
        if (n.forward() != BridgeNetwork.Forward.ISOLATED) {
            run("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        }
    }

    @Override
    public boolean repair(BridgeNetwork n) {
        if (!interfaceExists(n.bridge())) {
            return false;
        }
        try {
            Files.createDirectories(dir);
            firewall(n);
            if (n.ip() != null && dnsmasq(n.name()).isEmpty()) {
                startDnsmasq(n);
            }
            return true;
        } catch (IOException e) {
            throw new NetException("cannot write the state files of network '" + n.name() + "' in " + dir + ": " + e.getMessage(), e);
        }
    }

    private void createBridge(BridgeNetwork n) {
        // ip-link(8) bridge options: forward_delay is in centiseconds (the kernel raises it to 2 s with STP on).
        run("ip", "link", "add", n.bridge(), "type", "bridge", "stp_state", n.stp() ? "1" : "0",
                "forward_delay", Integer.toString(n.delay() * 100));
        if (n.mac() != null) {
            run("ip", "link", "set", "dev", n.bridge(), "address", n.mac());
        }
        if (n.mtu() > 0) {
            run("ip", "link", "set", "dev", n.bridge(), "mtu", Integer.toString(n.mtu()));
        }
        if (n.ip() != null) {
            run("ip", "address", "add", n.ip().address() + "/" + n.ip().prefix(), "dev", n.bridge());
        }
        run("ip", "link", "set", "dev", n.bridge(), "up");
    }

    private long startDnsmasq(BridgeNetwork n) throws IOException {
        Path conf = file(n.name(), ".conf");
        Path pid = file(n.name(), ".pid");
        Files.deleteIfExists(pid);
        Files.writeString(conf, Dnsmasq.conf(n, pid, file(n.name(), ".leases")), StandardCharsets.UTF_8);
        run("dnsmasq", "--conf-file=" + conf);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (System.nanoTime() < deadline) {
            Optional<Long> p = readPid(pid);
            if (p.isPresent()) {
                return p.get();
            }
            sleep(50);
        }
        throw new NetException("dnsmasq of network '" + n.name() + "' wrote no pid file " + pid + " within "
                + WAIT_MILLIS / 1000 + " s; see the system log for dnsmasq's complaint");
    }

    private static Optional<Long> readPid(Path pid) {
        try {
            String s = Files.readString(pid).strip();
            return s.matches("[0-9]+") ? Optional.of(Long.parseLong(s)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NetException("interrupted while waiting for dnsmasq", e);
        }
    }

    /** The live dnsmasq of {@code network}: its pid file names a process whose command line has our config file. */
    Optional<ProcessHandle> dnsmasq(String network) {
        String wanted = "--conf-file=" + file(network, ".conf");
        return readPid(file(network, ".pid")).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive)
                .filter(p -> cmdline(p.pid()).contains(wanted));
    }

    @Override
    public long dnsmasqPid(String network) {
        return dnsmasq(network).map(ProcessHandle::pid).orElse(0L);
    }

    private static List<String> cmdline(long pid) {
        try {
            byte[] b = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return List.of(new String(b, StandardCharsets.UTF_8).split("\0"));
        } catch (IOException e) {
            return List.of();
        }
    }

    @Override
    public boolean running(BridgeNetwork n) {
        return interfaceExists(n.bridge()) && quietly("nft", "list", "table", "ip", Firewall.table(n))
                && (n.ip() == null || dnsmasq(n.name()).isPresent());
    }

    @Override
    public void stop(BridgeNetwork n) {
        dnsmasq(n.name()).ifPresent(p -> {
            p.destroy();
            try {
                p.onExit().get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                p.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        });
        if (quietly("nft", "list", "table", "ip", Firewall.table(n))) {
            run("nft", "delete", "table", "ip", Firewall.table(n));
        }
        if (interfaceExists(n.bridge())) {
            run("ip", "link", "del", "dev", n.bridge());
        }
        for (String s : List.of(".pid", ".conf", ".nft", ".leases")) {
            try {
                Files.deleteIfExists(file(n.name(), s));
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot remove " + file(n.name(), s) + ": " + e.getMessage());
            }
        }
    }

    @Override
    public List<DhcpLease> leases(String network) {
        Path f = file(network, ".leases");
        try {
            List<DhcpLease> out = new ArrayList<>();
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                DhcpLease l = DhcpLease.parse(line);
                if (l != null) {
                    out.add(l);
                }
            }
            return out;
        } catch (java.nio.file.NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new NetException("cannot read the lease file " + f + " of network '" + network + "': " + e.getMessage(), e);
        }
    }
}
