package io.jvirt.manager.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvirt.manager.Connection;
import io.jvirt.manager.Connections;
import io.jvirt.manager.VirtException;
import io.jvirt.manager.store.Store;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API on TCP: TLS with a certificate made here by the JDK's keytool (PKCS#12) or openssl
 * (PEM), a bearer token, refusals without either, and remote clients kept to pool volumes.
 */
class DaemonTlsTest {

    private static final String TOKEN = "k3Vq0c6m1Zt4yH2pX9aR7wQe";

    @TempDir
    Path dir;

    private final List<Daemon> daemons = new ArrayList<>();

    @AfterEach
    void stop() {
        daemons.forEach(Daemon::close);
    }

    static void run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + ": " + out);
    }

    /** keytool: a PKCS#12 store with a self-signed EC key for localhost/127.0.0.1, and its certificate as PEM. */
    Path keystore() throws Exception {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(dir, keytool, "-genkeypair", "-keystore", "server.p12", "-storetype", "PKCS12", "-storepass", "s3cret-pw",
                "-alias", "jvirtd", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1");
        run(dir, keytool, "-exportcert", "-rfc", "-keystore", "server.p12", "-storepass", "s3cret-pw",
                "-alias", "jvirtd", "-file", "ca.pem");
        return dir.resolve("server.p12");
    }

    Daemon daemon(javax.net.ssl.SSLContext tls) throws Exception {
        Files.writeString(dir.resolve("token"), TOKEN + "\n");
        List<String> vmm = List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                System.getProperty("java.class.path"), StandInVmm.class.getName());
        Daemon d = Daemon.start(new Store(dir.resolve("store")), "jvirt:///session", vmm,
                new Daemon.TcpListener(new InetSocketAddress("127.0.0.1", 0), tls, TOKEN));
        daemons.add(d);
        return d;
    }

    String uri(Daemon d, String query) {
        return "jvirt+tls://localhost:" + d.tcpPort() + "/system?" + query;
    }

    String domain(String name, String disk) {
        return "<domain type='kvm'><name>" + name + "</name><memory unit='MiB'>64</memory><os><type>hvm</type>"
                + "<kernel>" + dir.resolve("pool/vmlinuz") + "</kernel></os><devices><disk type='file' device='disk'>"
                + "<driver name='qemu' type='raw'/><source file='" + disk + "'/><target dev='vda' bus='virtio'/></disk>"
                + "</devices></domain>";
    }

    @Test
    void tlsAndTokenGuardTheApiAndRemoteDisksStayInPools() throws Exception {
        Daemon d = daemon(Tls.server(keystore(), "s3cret-pw".toCharArray()));
        String ok = "ca=" + dir.resolve("ca.pem") + "&token_file=" + dir.resolve("token");
        try (Connection c = Connections.open(uri(d, ok))) {
            assertEquals(List.of(), c.listDomains());
            // Pools are the owner's business: defined through the unix socket, not over TCP.
            Path pool = dir.resolve("pool");
            VirtException poolDenied = assertThrows(VirtException.class, () -> c.definePool("p", "dir", "/etc"));
            assertEquals("access denied: storage pools are defined, built and undefined through the daemon's unix socket"
                    + " (the store's owner); a remote client uses existing pools", poolDenied.getMessage());
            Connection owner = new RestClient("jvirt:///session", new Store(dir.resolve("store")).socket());
            owner.definePool("p", "dir", pool.toString());
            owner.buildPool("p");
            owner.startPool("p");
            // A kernel (or initrd) outside every pool is refused too: the guest could read it.
            VirtException kernel = assertThrows(VirtException.class, () -> c.define(domain("k", pool + "/k.img")
                    .replace(pool + "/vmlinuz", "/etc/shadow"), "k.xml"));
            assertEquals("access denied: the kernel of domain 'k' is '/etc/shadow', outside every storage pool; a remote"
                    + " client may only use files in a pool (upload it to a pool's directory)", kernel.getMessage());
            // A disk outside every pool is refused for a remote client, and nothing is defined.
            VirtException denied = assertThrows(VirtException.class, () -> c.define(domain("web", "/etc/shadow"), "web.xml"));
            assertEquals(VirtException.Code.DENIED, denied.code());
            assertEquals("access denied: disk vda of domain 'web' is '/etc/shadow', outside every storage pool; a remote"
                    + " client may only use pool volumes (jvirt vol-create-as POOL ..., then <source file='VOLUME PATH'/>)",
                    denied.getMessage());
            assertEquals(List.of(), c.listDomains());
            VirtException dots = assertThrows(VirtException.class,
                    () -> c.define(domain("web", pool + "/../../etc/shadow"), "web.xml"));
            assertEquals(VirtException.Code.DENIED, dots.code());
            // A symbolic link inside the pool that leads out of it is refused too, and so is a dangling one.
            java.nio.file.Files.createSymbolicLink(pool.resolve("shadow.img"), Path.of("/etc/shadow"));
            VirtException link = assertThrows(VirtException.class, () -> c.define(domain("web", pool + "/shadow.img"), "web.xml"));
            assertEquals("access denied: disk vda of domain 'web' is '" + pool + "/shadow.img', outside every storage pool;"
                    + " a remote client may only use pool volumes (jvirt vol-create-as POOL ..., then <source file='VOLUME PATH'/>)",
                    link.getMessage());
            java.nio.file.Files.createSymbolicLink(pool.resolve("later.img"), dir.resolve("not-yet"));
            assertEquals(VirtException.Code.DENIED, assertThrows(VirtException.class,
                    () -> c.define(domain("web", pool + "/later.img"), "web.xml")).code());
            assertEquals(List.of(), c.listDomains());
            String vol = c.createVolume("p", "web.img", 1 << 20, "raw").path();
            assertEquals("web", c.define(domain("web", vol), "web.xml").name());

            // The console works over TLS too (the stand-in VMM echoes its input).
            c.define("<domain type='kvm'><name>con</name><memory unit='MiB'>64</memory><os><type>hvm</type>"
                    + "<kernel>" + pool.resolve("vmlinuz") + "</kernel></os></domain>", "con.xml");
            c.start("con");
            try (io.jvirt.manager.ConsoleSession s = c.openConsole("con")) {
                s.toGuest().write("over tls\n".getBytes(StandardCharsets.UTF_8));
                s.toGuest().flush();
                DaemonTest.readUntil(s.fromGuest(), "echo: over tls\n");
            }
            c.destroy("con");
        }
        // The owner on the unix socket is not limited to pools.
        Connection local = new RestClient("jvirt:///session", new Store(dir.resolve("store")).socket());
        assertEquals("local", local.define(domain("local", "/srv/any.img"), "l.xml").name());

        // A wrong token, and no token at all, are refused.
        Files.writeString(dir.resolve("wrong"), "not-the-token-at-all-0000\n");
        try (Connection c = Connections.open(uri(d, "ca=" + dir.resolve("ca.pem") + "&token_file=" + dir.resolve("wrong")))) {
            VirtException auth = assertThrows(VirtException.class, c::listDomains);
            assertEquals(VirtException.Code.AUTH, auth.code());
            assertTrue(auth.getMessage().startsWith("authentication failed: the jvirt API on TCP needs 'Authorization:"
                    + " Bearer TOKEN'"), auth.getMessage());
        }
        VirtException none = assertThrows(VirtException.class, () -> Connections.open(uri(d, "ca=" + dir.resolve("ca.pem"))));
        assertTrue(none.getMessage().contains("needs the daemon's API token; add token_file=PATH to the URI"), none.getMessage());

        // A client that does not trust the certificate (the JDK's default CAs) cannot connect.
        try (Connection c = Connections.open(uri(d, "token_file=" + dir.resolve("token")))) {
            VirtException untrusted = assertThrows(VirtException.class, c::listDomains);
            assertEquals(VirtException.Code.SYSTEM, untrusted.code());
        }

        // Plain HTTP on the TLS port gets no HTTP answer: the server wants a TLS handshake.
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", d.tcpPort()), 5000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /v1/domains HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] got = in.readNBytes(64);
            assertFalse(new String(got, StandardCharsets.ISO_8859_1).startsWith("HTTP/"), "plain HTTP was answered");
        } catch (java.net.SocketException e) {
            // reset by the server: refused as well
        }
    }

    @Test
    void pemCertificateAndKeyFromOpenssl() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl makes the PEM pair; apt-get install openssl");
        run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem",
                "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1");
        Daemon d = daemon(Tls.server(dir.resolve("cert.pem"), dir.resolve("key.pem")));
        try (Connection c = Connections.open(uri(d, "ca=" + dir.resolve("cert.pem") + "&token_file=" + dir.resolve("token")))) {
            assertEquals(List.of(), c.listPools());
        }
        VirtException bad = assertThrows(VirtException.class, () -> Tls.server(dir.resolve("cert.pem"), dir.resolve("cert.pem")));
        assertTrue(bad.getMessage().contains("has no '-----BEGIN PRIVATE KEY-----' (PKCS#8) block"), bad.getMessage());
    }
}
