package io.jvirt.net;

/** A host networking command failed; the message names the command, its output and the fix. */
public final class NetException extends RuntimeException {
    NetException(String message) {
        super(message);
    }

    NetException(String message, Throwable cause) {
        super(message, cause);
    }
}
