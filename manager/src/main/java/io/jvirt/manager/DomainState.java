package io.jvirt.manager;

/** A domain's state as virsh names it (virDomainState), with libvirt's state-reason words. */
public enum DomainState {
    RUNNING("running"), PAUSED("paused"), SHUTOFF("shut off"), CRASHED("crashed");

    private final String label;

    DomainState(String label) {
        this.label = label;
    }

    /** The word virsh prints: "running", "paused", "shut off". */
    public String label() {
        return label;
    }

    /** The word a snapshot records (domainsnapshot &lt;state&gt;): "shutoff" has no space. */
    public String snapshotWord() {
        return this == SHUTOFF ? "shutoff" : label;
    }

    public boolean active() {
        return this == RUNNING || this == PAUSED;
    }
}
