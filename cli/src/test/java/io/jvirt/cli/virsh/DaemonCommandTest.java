package io.jvirt.cli.virsh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvirt.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jvirt daemon}'s options: the API goes on TCP only with TLS and a token; bad input is one line, exit 1. */
class DaemonCommandTest {

    @TempDir
    Path dir;

    String run(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Main.run(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return rc + " " + err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void tcpNeedsTlsAndAToken() throws Exception {
        String root = dir.resolve("root").toString();
        assertEquals("1 error: jvirt daemon: --listen tcp:127.0.0.1:16514 needs TLS: the API on TCP is served only with"
                + " TLS; give --tls-cert PEM --tls-key PEM or --tls-keystore P12\n",
                run("daemon", "--root", root, "--listen", "tcp:127.0.0.1:16514"));
        Files.writeString(dir.resolve("c.pem"), "x");
        assertEquals("1 error: invalid argument: cannot use --tls-cert/--tls-key " + dir.resolve("c.pem")
                + ": no '-----BEGIN CERTIFICATE-----' block\n",
                run("daemon", "--root", root, "--listen", "tcp:127.0.0.1:16514", "--tls-cert", dir.resolve("c.pem").toString(),
                        "--tls-key", dir.resolve("c.pem").toString(), "--token-file", "/nonexistent"));
        assertEquals("1 error: jvirt daemon: --listen 'http:1' is not tcp:HOST:PORT; use e.g. tcp:0.0.0.0:16514\n",
                run("daemon", "--root", root, "--listen", "http:1"));
        assertEquals("1 error: jvirt daemon: TLS and token options need --listen tcp:HOST:PORT\n",
                run("daemon", "--root", root, "--token-file", "t"));
        assertEquals("1 error: jvirt daemon: unknown option '--tls'; " + DaemonCommand.USAGE + "\n",
                run("daemon", "--root", root, "--tls"));
    }
}
