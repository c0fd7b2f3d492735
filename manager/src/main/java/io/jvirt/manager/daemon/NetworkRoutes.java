package io.jvirt.manager.daemon;

import io.jvirt.manager.Connection;
import io.jvirt.manager.VirtException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The /v1/networks resources of the REST API (API.md): virtual networks and their DHCP leases. */
final class NetworkRoutes {

    private NetworkRoutes() {
    }

    /** {@code p} is the split path: "", "v1", "networks", NAME, ACTION. */
    static Object route(Connection c, Http.Request r, String[] p, String m) throws VirtException {
        if (p.length == 3) {
            if (m.equals("GET")) {
                return c.listNetworks().stream().map(Codec::network).toList();
            }
            if (m.equals("POST")) {
                String src = r.query().getOrDefault("source", "network_definition");
                return Codec.network(r.query().containsKey("create")
                        ? c.createNetwork(r.bodyText(), src) : c.defineNetwork(r.bodyText(), src));
            }
            return RestApi.notFound(r);
        }
        String n = p[3];
        if (p.length == 4) {
            return switch (m) {
                case "GET" -> Codec.network(c.network(n));
                case "DELETE" -> {
                    c.undefineNetwork(n);
                    yield Map.of();
                }
                default -> RestApi.notFound(r);
            };
        }
        if (p.length != 5) {
            return RestApi.notFound(r);
        }
        return switch (m + " " + p[4]) {
            case "GET xml" -> new Http.Response(200, "application/xml",
                    c.networkXml(n, r.query().containsKey("inactive")).getBytes(StandardCharsets.UTF_8), false);
            case "GET leases" -> c.networkLeases(n).stream().map(Codec::lease).toList();
            case "PUT autostart" -> {
                c.setNetworkAutostart(n, Boolean.parseBoolean(r.bodyText().strip()));
                yield Map.of();
            }
            case "POST start" -> {
                c.startNetwork(n);
                yield Codec.network(c.network(n));
            }
            case "POST destroy" -> {
                c.destroyNetwork(n); // a transient network is gone afterwards
                yield Map.of();
            }
            default -> RestApi.notFound(r);
        };
    }
}
