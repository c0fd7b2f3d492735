package io.jvirt.sys;

/**
 * A system call failed. The one exception the {@code sys} module throws for a failed call:
 * it carries the errno (number and symbolic name), the call ({@code "ioctl(KVM_RUN)"},
 * {@code "open"}) and the thing it was about ({@code "/dev/kvm"}, {@code "vcpu 1"}).
 * Created only by {@code Libc.fail}, the single place errno is turned into an exception.
 */
public final class SysException extends RuntimeException {

    private final int errno;
    private final String errnoName;
    private final String call;
    private final String subject;

    SysException(int errno, String errnoName, String description, String call, String subject) {
        super(subject + ": " + call + " failed: " + description + " (" + errnoName + ")");
        this.errno = errno;
        this.errnoName = errnoName;
        this.call = call;
        this.subject = subject;
    }

    /** The errno value, e.g. 13 for EACCES. */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, e.g. {@code "EACCES"}. */
    public String errnoName() {
        return errnoName;
    }

    /** The failed call, e.g. {@code "ioctl(KVM_CREATE_VM)"}. */
    public String call() {
        return call;
    }

    /** What the call was about, e.g. {@code "/dev/kvm"}. */
    public String subject() {
        return subject;
    }

    /** True when the call failed with {@code name} (e.g. {@code "ENOENT"}). */
    public boolean is(String name) {
        return errnoName.equals(name);
    }
}
