package io.jvirt.manager.daemon;

import io.jvirt.manager.Connection;
import io.jvirt.manager.VirtException;
import io.jvirt.vmm.control.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The daemon's REST API over a {@link Connection} (see API.md): resources under /v1, JSON
 * bodies, domain XML as application/xml, errors as {"code", "message"} with libvirt's text.
 */
final class RestApi {

    private final Connection c;
    private final boolean remote;

    RestApi(Connection c) {
        this(c, false);
    }

    /** {@code remote}: requests come over TCP, so disks must lie inside a storage pool (RemoteChecks). */
    RestApi(Connection c, boolean remote) {
        this.c = c;
        this.remote = remote;
    }

    static String error(String code, String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("code", code);
        m.put("message", message);
        return Json.write(m);
    }

    static int status(VirtException.Code code) {
        return switch (code) {
            case NO_DOMAIN, NO_SNAPSHOT, NO_POOL, NO_VOLUME, NO_NETWORK -> 404;
            case AUTH -> 401;
            case DENIED -> 403;
            case INVALID_OPERATION, OPERATION_FAILED -> 409;
            case XML, INVALID_ARG, UNSUPPORTED -> 400;
            case INTERNAL, SYSTEM -> 500;
        };
    }

    Http.Response handle(Http.Request r) {
        try {
            Object result = route(r, r.path().split("/"));
            if (result instanceof Http.Response resp) {
                return resp;
            }
            return Http.Response.json(200, Json.write(result));
        } catch (VirtException e) {
            return Http.Response.json(status(e.code()), error(e.code().name(), e.getMessage()));
        } catch (Json.JsonException | ClassCastException | NullPointerException | NumberFormatException e) {
            return Http.Response.json(400, error("INVALID_ARG", "malformed request body for " + r.method() + " " + r.path()
                    + ": " + e.getMessage()));
        }
    }

    static Http.Response notFound(Http.Request r) {
        return Http.Response.json(404, error("NOT_FOUND", "no resource " + r.method() + " " + r.path() + "; see API.md"));
    }

    private static Map<?, ?> body(Http.Request r) {
        return r.body().length == 0 ? Map.of() : Json.parseObject(r.bodyText());
    }

    private Object route(Http.Request r, String[] p) throws VirtException {
        // p[0] is "" (leading slash), p[1] "v1".
        if (p.length < 3 || !p[1].equals("v1")) {
            return notFound(r);
        }
        String m = r.method();
        return switch (p[2]) {
            case "info" -> Map.of("uri", c.uri(), "pid", ProcessHandle.current().pid());
            case "domains" -> domains(r, p, m);
            case "pools" -> pools(r, p, m);
            case "networks" -> NetworkRoutes.route(c, r, p, m);
            default -> notFound(r);
        };
    }

    private Object domains(Http.Request r, String[] p, String m) throws VirtException {
        if (p.length == 3) {
            if (m.equals("GET")) {
                return c.listDomains().stream().map(Codec::domain).toList();
            }
            if (m.equals("POST")) {
                String src = r.query().getOrDefault("source", "domain_definition");
                if (remote) {
                    RemoteChecks.disksInPools(c, r.bodyText(), src);
                }
                return Codec.domain(r.query().containsKey("create") ? c.create(r.bodyText(), src) : c.define(r.bodyText(), src));
            }
            return notFound(r);
        }
        String d = p[3];
        if (p.length == 4) {
            return switch (m) {
                case "GET" -> Codec.domain(c.domain(d));
                case "DELETE" -> {
                    c.undefine(d);
                    yield Map.of();
                }
                default -> notFound(r);
            };
        }
        String sub = p[4];
        if (sub.equals("snapshots")) {
            return snapshots(r, p, m, d);
        }
        if (p.length != 5) {
            return notFound(r);
        }
        if (m.equals("GET") && sub.equals("xml")) {
            return new Http.Response(200, "application/xml", c.dumpXml(d, r.query().containsKey("inactive"))
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8), false);
        }
        if (m.equals("GET") && sub.equals("console")) {
            if (WebSocket.requested(r)) {
                io.jvirt.manager.ConsoleSession session = c.openConsole(d);
                return new Http.Response(101, "", new byte[0], true, (in, out) -> ConsolePump.run(session, in, out));
            }
            return Map.of("path", c.consolePath(d));
        }
        if (m.equals("PUT") && sub.equals("autostart")) {
            c.setAutostart(d, Boolean.parseBoolean(r.bodyText().strip()));
            return Map.of();
        }
        if (!m.equals("POST")) {
            return notFound(r);
        }
        switch (sub) {
            case "start" -> c.start(d);
            case "shutdown" -> c.shutdown(d);
            case "destroy" -> c.destroy(d);
            case "reboot" -> c.reboot(d);
            case "reset" -> c.reset(d);
            case "suspend" -> c.suspend(d);
            case "resume" -> c.resume(d);
            default -> {
                return notFound(r);
            }
        }
        return Codec.domain(c.domain(d));
    }

    private Object snapshots(Http.Request r, String[] p, String m, String d) throws VirtException {
        if (p.length == 5) {
            if (m.equals("GET")) {
                return c.listSnapshots(d).stream().map(Codec::snapshot).toList();
            }
            if (m.equals("POST")) {
                Map<?, ?> b = body(r);
                return Codec.snapshot(c.createSnapshot(d, Codec.s(b, "name"), Codec.s(b, "description")));
            }
            return notFound(r);
        }
        String s = p[5];
        if (p.length == 6 && s.equals("current") && m.equals("GET")) {
            return c.currentSnapshot(d).map(Codec::snapshot).map(Object.class::cast).orElse(Map.of());
        }
        if (p.length == 6 && m.equals("DELETE")) {
            c.deleteSnapshot(d, s);
            return Map.of();
        }
        if (p.length == 7 && p[6].equals("xml") && m.equals("GET")) {
            return new Http.Response(200, "application/xml", c.snapshotXml(d, s)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8), false);
        }
        if (p.length == 7 && p[6].equals("revert") && m.equals("POST")) {
            c.revertSnapshot(d, s);
            return Map.of();
        }
        return notFound(r);
    }

    private Object pools(Http.Request r, String[] p, String m) throws VirtException {
        if (remote && ((p.length == 3 && m.equals("POST")) || (p.length == 4 && m.equals("DELETE"))
                || (p.length == 5 && p[4].equals("build")))) {
            throw RemoteChecks.poolsAreLocal();
        }
        if (p.length == 3) {
            if (m.equals("GET")) {
                return c.listPools().stream().map(Codec::pool).toList();
            }
            if (m.equals("POST")) {
                Map<?, ?> b = body(r);
                c.definePool(Codec.s(b, "name"), Codec.s(b, "type"), Codec.s(b, "target"));
                return Codec.pool(c.pool(Codec.s(b, "name")));
            }
            return notFound(r);
        }
        String pool = p[3];
        if (p.length == 4) {
            return switch (m) {
                case "GET" -> Codec.pool(c.pool(pool));
                case "DELETE" -> {
                    c.undefinePool(pool);
                    yield Map.of();
                }
                default -> notFound(r);
            };
        }
        if (p[4].equals("volumes")) {
            return volumes(r, p, m, pool);
        }
        if (p.length == 5 && m.equals("POST")) {
            switch (p[4]) {
                case "build" -> c.buildPool(pool);
                case "start" -> c.startPool(pool);
                case "destroy" -> c.destroyPool(pool);
                default -> {
                    return notFound(r);
                }
            }
            return Codec.pool(c.pool(pool));
        }
        return notFound(r);
    }

    private Object volumes(Http.Request r, String[] p, String m, String pool) throws VirtException {
        if (p.length == 5) {
            if (m.equals("GET")) {
                return c.listVolumes(pool).stream().map(Codec::volume).toList();
            }
            if (m.equals("POST")) {
                Map<?, ?> b = body(r);
                return Codec.volume(c.createVolume(pool, Codec.s(b, "name"), Codec.l(b, "capacity"), Codec.s(b, "format")));
            }
            return notFound(r);
        }
        String v = p[5];
        if (p.length == 6) {
            return switch (m) {
                case "GET" -> Codec.volume(c.volume(pool, v));
                case "DELETE" -> {
                    c.deleteVolume(pool, v);
                    yield Map.of();
                }
                default -> notFound(r);
            };
        }
        if (p.length == 7 && m.equals("POST") && p[6].equals("clone")) {
            return Codec.volume(c.cloneVolume(pool, v, Codec.s(body(r), "name")));
        }
        if (p.length == 7 && m.equals("POST") && p[6].equals("resize")) {
            Map<?, ?> b = body(r);
            c.resizeVolume(pool, v, Codec.l(b, "capacity"), Codec.b(b, "shrink"));
            return Codec.volume(c.volume(pool, v));
        }
        return notFound(r);
    }

    static List<String> actions() {
        return List.of("start", "shutdown", "destroy", "reboot", "reset", "suspend", "resume");
    }
}
