package io.jvirt.cli.virsh;

import io.jvirt.cli.virsh.Shell.Failure;
import io.jvirt.cli.virsh.Spec.Args;
import io.jvirt.manager.Connection;
import io.jvirt.manager.DomainInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * virsh console: connects the terminal to the domain's serial console (a unix socket the VMM
 * serves) until Ctrl+] (0x1d). Like virsh it refuses to run without a controlling terminal
 * unless JVIRT_CONSOLE_NO_TTY=1 (tests and pipes).
 */
final class ConsoleCommand {

    // virsh's default escape sequence is ^] (0x1d).
    private static final int ESCAPE = 0x1d;

    private ConsoleCommand() {
    }

    static boolean console(Shell sh, Args a) throws Failure {
        DomainInfo d = sh.domain(a.get("domain"));
        if (!d.state().active()) {
            throw new Failure("The domain is not running");
        }
        return attach(sh, d.name());
    }

    static boolean attach(Shell sh, String name) throws Failure {
        if (System.console() == null && !"1".equals(System.getenv("JVIRT_CONSOLE_NO_TTY"))) {
            throw new Failure("Cannot run interactive console without a controlling TTY");
        }
        Connection c = sh.conn();
        String path = sh.op(null, () -> c.consolePath(name));
        sh.extra("Connected to domain '" + name + "'\nEscape character is ^] (Ctrl + ])\n");
        if (java.nio.file.Files.isRegularFile(Path.of(path))) {
            return follow(sh, name, Path.of(path));
        }
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(Path.of(path)))) {
            Thread pump = Thread.ofPlatform().daemon().name("console-in").start(() -> copyIn(sh.in, ch));
            InputStream from = Channels.newInputStream(ch);
            OutputStream to = sh.out;
            byte[] buf = new byte[4096];
            int n;
            while ((n = from.read(buf)) > 0) {
                to.write(buf, 0, n);
                to.flush();
            }
            pump.interrupt();
        } catch (IOException e) {
            if (!e.getMessage().contains("closed")) {
                throw new Failure("console of domain '" + name + "' at " + path + ": " + e.getMessage());
            }
        }
        sh.extra("\n");
        return true;
    }

    /**
     * The VMM writes the serial output to a file (jvirt run --console file:PATH): show it and
     * follow it, like tail -f, until the domain stops or Ctrl+] is typed. Input is not
     * forwarded: jvirt run has no console input channel for a supervised VM yet.
     */
    private static boolean follow(Shell sh, String name, Path file) throws Failure {
        Connection c = sh.conn();
        java.util.concurrent.atomic.AtomicBoolean escaped = new java.util.concurrent.atomic.AtomicBoolean();
        Thread.ofPlatform().daemon().name("console-escape").start(() -> {
            try {
                int b;
                while ((b = sh.in.read()) >= 0) {
                    if (b == ESCAPE) {
                        escaped.set(true);
                        return;
                    }
                }
            } catch (IOException e) {
                // Standard input closed: keep following until the domain stops.
            }
        });
        try (var f = java.nio.channels.FileChannel.open(file)) {
            ByteBuffer buf = ByteBuffer.allocate(8192);
            long idle = 0;
            while (!escaped.get()) {
                buf.clear();
                int n = f.read(buf);
                if (n > 0) {
                    sh.out.write(buf.array(), 0, n);
                    sh.out.flush();
                    continue;
                }
                Thread.sleep(100);
                if (++idle % 10 == 0 && !c.domain(name).state().active()) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new Failure("console of domain '" + name + "' (" + file + "): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (io.jvirt.manager.VirtException e) {
            // The domain went away: the console ends.
        }
        sh.extra("\n");
        return true;
    }

    private static void copyIn(InputStream in, SocketChannel ch) {
        try {
            byte[] buf = new byte[1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] == ESCAPE) {
                        ch.write(ByteBuffer.wrap(buf, 0, i));
                        ch.close();
                        return;
                    }
                }
                ch.write(ByteBuffer.wrap(buf, 0, n));
            }
            ch.shutdownOutput();
        } catch (IOException e) {
            // The console closed under us (domain stopped); the reader side reports it.
        }
    }
}
