package io.jvirt.cli.virsh;

import io.jvirt.cli.virsh.Shell.Failure;
import io.jvirt.cli.virsh.Spec.Args;
import io.jvirt.manager.ConsoleSession;
import io.jvirt.manager.Connection;
import io.jvirt.manager.DomainInfo;
import io.jvirt.sys.SysException;
import io.jvirt.sys.Terminal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * virsh console: connects the terminal (raw mode) to the domain's serial console through the
 * daemon's API, output and typed input, until Ctrl+] (0x1d) or the domain stops. Like virsh it
 * refuses to run without a controlling terminal unless JVIRT_CONSOLE_NO_TTY=1 (tests and pipes).
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
        ConsoleSession session = sh.op(null, () -> c.openConsole(name));
        sh.extra("Connected to domain '" + name + "'\nEscape character is ^] (Ctrl + ])\n");
        Terminal raw = null;
        if (System.console() != null && Terminal.isTerminal(0)) {
            try {
                raw = Terminal.enterRaw(0, false); // keys reach the guest at once, ^] without Enter
            } catch (SysException e) {
                sh.extra("jvirt: cannot put the terminal in raw mode (" + e.getMessage() + "); input is line-buffered\n");
            }
        }
        try (session) {
            Thread pump = Thread.ofPlatform().daemon().name("console-in").start(() -> copyIn(sh.in, session));
            byte[] buf = new byte[4096];
            int n;
            InputStream from = session.fromGuest();
            while ((n = from.read(buf)) > 0) {
                sh.out.write(buf, 0, n);
                sh.out.flush();
            }
            pump.interrupt();
        } catch (IOException e) {
            // The escape closed the session under the reader, or the domain stopped.
        } finally {
            if (raw != null) {
                raw.close();
            }
        }
        sh.extra("\n");
        return true;
    }

    /** Typed bytes to the guest until ^] (virsh's escape) or end of input; either ends the session. */
    private static void copyIn(InputStream in, ConsoleSession session) {
        try {
            OutputStream to = session.toGuest();
            byte[] buf = new byte[1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] == ESCAPE) {
                        to.write(buf, 0, i);
                        to.flush();
                        session.close();
                        return;
                    }
                }
                to.write(buf, 0, n);
                to.flush();
            }
            // End of input (a pipe): keep showing output until the domain stops or ^] arrives.
        } catch (IOException e) {
            // The console closed under us (domain stopped); the reader side ends.
        }
    }
}
