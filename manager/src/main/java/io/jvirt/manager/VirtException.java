package io.jvirt.manager;

/**
 * The manager's one error type. Its message is libvirt's error text for the same failure
 * ("operation failed: domain 'vm1' is already defined with uuid ..."), which the CLI prints after
 * "error: " exactly as virsh does; {@link #code} classifies it for callers and the REST API.
 */
public final class VirtException extends Exception {

    /** The failure classes the CLI and the REST API distinguish (libvirt's virErrorNumber subset). */
    public enum Code {
        NO_DOMAIN, NO_SNAPSHOT, NO_POOL, NO_VOLUME, NO_NETWORK, XML, INVALID_OPERATION, OPERATION_FAILED,
        UNSUPPORTED, INVALID_ARG, INTERNAL, SYSTEM,
        /** Not authenticated (libvirt's VIR_ERR_AUTH_FAILED). */
        AUTH,
        /** Authenticated, but not allowed (VIR_ERR_ACCESS_DENIED). */
        DENIED
    }

    private final Code code;

    public VirtException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public VirtException(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public Code code() {
        return code;
    }

    public static VirtException xml(String detail) {
        return new VirtException(Code.XML, "XML error: " + detail);
    }

    public static VirtException unsupported(String detail) {
        return new VirtException(Code.UNSUPPORTED, "unsupported configuration: " + detail);
    }

    public static VirtException invalidOperation(String detail) {
        return new VirtException(Code.INVALID_OPERATION, "Requested operation is not valid: " + detail);
    }

    public static VirtException failed(String detail) {
        return new VirtException(Code.OPERATION_FAILED, "operation failed: " + detail);
    }

    public static VirtException internal(String detail) {
        return new VirtException(Code.INTERNAL, "internal error: " + detail);
    }

    /** virsh's text for a network name or UUID that matches nothing. */
    public static VirtException noNetwork(String key) {
        return new VirtException(Code.NO_NETWORK, "Network not found: no network with matching name '" + key + "'");
    }

    public static VirtException invalidArg(String detail) {
        return new VirtException(Code.INVALID_ARG, "invalid argument: " + detail);
    }
}
