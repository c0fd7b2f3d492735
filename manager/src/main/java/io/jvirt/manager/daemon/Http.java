package io.jvirt.manager.daemon;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The HTTP/1.1 subset (RFC 9112) the daemon speaks on its unix socket: requests with a
 * Content-Length body (no chunked uploads), responses with Content-Length. Input comes from any
 * local process of the owner, so sizes are bounded and malformed requests are refused.
 */
final class Http {

    static final int MAX_HEAD = 16 * 1024;
    static final int MAX_BODY = 4 * 1024 * 1024;

    private Http() {
    }

    /** A parsed request; header names are lower-case. */
    record Request(String method, String path, Map<String, String> query, Map<String, String> headers, byte[] body) {
        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        boolean keepAlive() {
            return !"close".equalsIgnoreCase(headers.getOrDefault("connection", ""));
        }
    }

    /** What a connection becomes after the WebSocket handshake: the session {@code run} serves. */
    interface Upgraded {
        void run(java.io.InputStream in, java.io.OutputStream out) throws IOException;
    }

    /**
     * A response; {@code upgrade} marks a 101 answer: a WebSocket handshake the server completes,
     * then the event stream or, with {@code then}, the session {@code then} serves (the console).
     */
    record Response(int status, String contentType, byte[] body, boolean upgrade, Upgraded then) {
        Response(int status, String contentType, byte[] body, boolean upgrade) {
            this(status, contentType, body, upgrade, null);
        }

        static Response json(int status, String json) {
            return new Response(status, "application/json", json.getBytes(StandardCharsets.UTF_8), false);
        }

        static Response text(int status, String text) {
            return new Response(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8), false);
        }
    }

    /** Malformed request: answered with 400 and the connection closed. */
    static final class BadRequest extends IOException {
        BadRequest(String m) {
            super(m);
        }
    }

    /** Reads one CRLF-terminated line (LF alone accepted), at most {@code max} bytes; null at EOF before any byte. */
    static String readLine(InputStream in, int max) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                byte[] a = b.toByteArray();
                int n = a.length > 0 && a[a.length - 1] == '\r' ? a.length - 1 : a.length;
                return new String(a, 0, n, StandardCharsets.ISO_8859_1);
            }
            if (b.size() >= max) {
                throw new BadRequest("header line longer than " + max + " bytes");
            }
            b.write(c);
        }
        if (b.size() == 0) {
            return null;
        }
        throw new BadRequest("connection closed inside a header line");
    }

    static Request read(InputStream in) throws IOException {
        String start = readLine(in, MAX_HEAD);
        if (start == null) {
            return null;
        }
        String[] parts = start.split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
            throw new BadRequest("malformed request line '" + start + "'");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        int total = start.length();
        String line;
        while ((line = readLine(in, MAX_HEAD)) != null && !line.isEmpty()) {
            total += line.length();
            if (total > MAX_HEAD) {
                throw new BadRequest("request head larger than " + MAX_HEAD + " bytes");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new BadRequest("malformed header line '" + line + "'");
            }
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        if (headers.containsKey("transfer-encoding")) {
            throw new BadRequest("chunked request bodies are not supported; send Content-Length");
        }
        int len = 0;
        if (headers.containsKey("content-length")) {
            try {
                len = Integer.parseInt(headers.get("content-length"));
            } catch (NumberFormatException e) {
                throw new BadRequest("malformed Content-Length '" + headers.get("content-length") + "'");
            }
            if (len < 0 || len > MAX_BODY) {
                throw new BadRequest("request body of " + len + " bytes is over the " + MAX_BODY + " byte limit");
            }
        }
        byte[] body = in.readNBytes(len);
        if (body.length != len) {
            throw new BadRequest("connection closed after " + body.length + " of " + len + " body bytes");
        }
        String target = parts[1];
        int q = target.indexOf('?');
        String path = URLDecoder.decode(q < 0 ? target : target.substring(0, q), StandardCharsets.UTF_8);
        Map<String, String> query = new LinkedHashMap<>();
        if (q >= 0) {
            for (String kv : target.substring(q + 1).split("&")) {
                if (kv.isEmpty()) {
                    continue;
                }
                int eq = kv.indexOf('=');
                query.put(URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8),
                        eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return new Request(parts[0], path, query, headers, body);
    }

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 204 -> "No Content";
            case 101 -> "Switching Protocols";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 501 -> "Not Implemented";
            default -> status >= 500 ? "Internal Server Error" : "Error";
        };
    }

    static byte[] head(Response r, boolean keepAlive) {
        String h = "HTTP/1.1 " + r.status() + " " + reason(r.status()) + "\r\n"
                + "Content-Type: " + r.contentType() + "\r\n"
                + "Content-Length: " + r.body().length + "\r\n"
                + (keepAlive ? "" : "Connection: close\r\n") + "\r\n";
        return h.getBytes(StandardCharsets.ISO_8859_1);
    }
}
