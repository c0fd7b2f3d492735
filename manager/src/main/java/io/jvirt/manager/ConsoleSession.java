package io.jvirt.manager;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * An attached serial console (virDomainOpenConsole): what the guest writes arrives on
 * {@link #fromGuest} (end of stream when the domain stops or the session closes), bytes written
 * to {@link #toGuest} are the guest's keyboard input.
 */
public interface ConsoleSession extends AutoCloseable {

    InputStream fromGuest();

    OutputStream toGuest();

    @Override
    void close() throws IOException;
}
