package io.jvirt.vmm.boot;

/**
 * The kernel, initrd or command line cannot be booted as given. The message is one line that
 * names the file or value and says what to do, ready to print after "jvirt: ".
 */
public final class BootException extends RuntimeException {

    public BootException(String message) {
        super(message);
    }

    public BootException(String message, Throwable cause) {
        super(message, cause);
    }
}
