package io.jvirt.vmm.machine;

/** Where a {@link Machine} is in its life: created, running, paused, or stopped for good. */
public enum RunState {
    /** Assembled and loaded; {@link Machine#start()} not called yet. */
    CREATED,
    /** vCPU threads are running guest code. */
    RUNNING,
    /** Every vCPU is parked outside guest code; {@link Machine#resume()} continues. */
    PAUSED,
    /** Final: the vCPU threads end; {@link Machine#awaitExit()} says why. */
    STOPPED
}
