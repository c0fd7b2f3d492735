package io.jvirt.manager.driver;

import io.jvirt.manager.VirtException;
import io.jvirt.manager.xml.DomainXml;

/**
 * What runs the guests: in memory for test:///default, one VMM process per domain for the
 * daemon. Calls come with the driver's lock held and must not block for long.
 */
interface Runtime {

    /** Launches the VM; returns once it runs (or throws with nothing left behind). */
    void launch(String name, int id, DomainXml def) throws VirtException;

    /** Asks the guest to power off (ACPI power button). Returns true when already off. */
    boolean powerdown(String name) throws VirtException;

    void kill(String name) throws VirtException;

    void pause(String name) throws VirtException;

    void resume(String name) throws VirtException;

    void reset(String name) throws VirtException;

    /** Asks for a reboot; returns true when the runtime did it synchronously. */
    boolean reboot(String name) throws VirtException;

    String console(String name) throws VirtException;

    /** Where the VMM reads its console input (a FIFO). */
    default java.nio.file.Path consoleInput(String name) throws VirtException {
        throw new VirtException(VirtException.Code.UNSUPPORTED,
                "this function is not supported by the connection driver: virDomainOpenConsole");
    }

    /** CPU time the running VM has used, in nanoseconds, or -1 when the runtime cannot tell. */
    default long cpuNanos(String name) {
        return -1;
    }

    /** test:///default: every action completes at once, nothing runs. */
    Runtime IMMEDIATE = new Runtime() {
        @Override public void launch(String name, int id, DomainXml def) { }
        @Override public boolean powerdown(String name) {
            return true;
        }
        @Override public void kill(String name) { }
        @Override public void pause(String name) { }
        @Override public void resume(String name) { }
        @Override public void reset(String name) { }
        @Override public boolean reboot(String name) {
            return true;
        }
        @Override public String console(String name) throws VirtException {
            throw new VirtException(VirtException.Code.UNSUPPORTED,
                    "this function is not supported by the connection driver: virDomainOpenConsole");
        }
    };
}
